package org.rlcasino.kernels;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The rotary frequency schedules and tables against Hugging Face transformers' rotary embedding
 * (src/test/resources/rope/reference.json, written by src/test/python/gen_rope_reference.py):
 * the default, Llama 3's {@code llama3} and Gemma 3's {@code linear} scaling. Inverse frequencies
 * within 1 ulp-ish (1e-7 relative), cos/sin within 2e-6 absolute up to position 30,000 (float32
 * angles of ~3·10⁴ carry ~2e-3 absolute error in either implementation; the sums agree because both
 * form the same float32 angle).
 */
class RotaryTransformersTest {
    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    @Test
    void schedulesAndTablesMatchTransformers() throws Exception {
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(Path.of("src/test/resources/rope/reference.json")));
        int checked = 0;
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            int d = c.get("head_dim").asInt();
            float[] inv = RotaryKernels.inverseFrequencies(d, c.get("theta").asDouble());
            JsonNode scaling = c.get("scaling");
            if (name.equals("llama3")) {
                inv = RotaryKernels.llama3Scaling(inv, scaling.get("factor").asDouble(), scaling.get("low_freq_factor").asDouble(),
                        scaling.get("high_freq_factor").asDouble(), scaling.get("original_max_position_embeddings").asInt());
            } else if (name.equals("linear")) {
                inv = RotaryKernels.linearScaling(inv, scaling.get("factor").asDouble());
            }
            assertClose(name + " inverse frequencies", inv, floats(c.get("inv_freq")), 0, 1e-6);
            assertThat(c.get("attention_scaling").asDouble()).as(name).isEqualTo(1.0);
            JsonNode positions = c.get("positions");
            int max = positions.get(positions.size() - 1).asInt() + 1;
            float[][] tables = RotaryKernels.tables(max, inv);
            for (int r = 0; r < positions.size(); r++) {
                int p = positions.get(r).asInt();
                float[] cos = new float[d / 2];
                float[] sin = new float[d / 2];
                System.arraycopy(tables[0], p * d / 2, cos, 0, d / 2);
                System.arraycopy(tables[1], p * d / 2, sin, 0, d / 2);
                assertClose(name + " cos at " + p, cos, floats(c.get("cos").get(r)), 2e-6, 0);
                assertClose(name + " sin at " + p, sin, floats(c.get("sin").get(r)), 2e-6, 0);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(21);
    }
}
