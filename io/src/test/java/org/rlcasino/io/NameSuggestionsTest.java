package org.rlcasino.io;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NameSuggestionsTest {
    @Test
    void editDistance() {
        assertThat(NameSuggestions.distance("", "abc")).isEqualTo(3);
        assertThat(NameSuggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(NameSuggestions.distance("same", "same")).isZero();
    }

    @Test
    void listsTheNearestFiveNames() {
        List<String> names = List.of("h.0.attn.c_attn.weight", "h.0.attn.c_attn.bias", "h.0.mlp.c_fc.weight",
                "h.1.attn.c_attn.weight", "wte.weight", "wpe.weight", "ln_f.bias");
        assertThat(NameSuggestions.missing("h.0.attn.c_att.weight", names)).isEqualTo(
                "no tensor 'h.0.attn.c_att.weight' among 7; nearest: 'h.0.attn.c_attn.weight', "
                        + "'h.1.attn.c_attn.weight', 'h.0.attn.c_attn.bias', 'h.0.mlp.c_fc.weight', 'wte.weight'");
        assertThat(NameSuggestions.missing("x", List.of())).isEqualTo("no tensor 'x' (there are no tensors)");
    }
}
