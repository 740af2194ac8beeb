package org.rlcasino.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.rlcasino.io.PathGuard;
import org.rlcasino.tokenizers.Tokenizer;
import org.rlcasino.tokenizers.chat.ChatTemplate;
import org.rlcasino.tokenizers.chat.Conversation;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casino chat-template}: render a conversation with a model's Hugging Face chat template, and optionally its token ids. */
@Command(name = "chat-template", header = "Render a conversation with a model's Hugging Face chat template.",
        mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the conversation of --messages as the model's chat template renders it, exactly (no newline is added),",
                "as transformers' tokenizer.apply_chat_template(messages, tools=..., add_generation_prompt=..., tokenize=False) does.",
                "The template is chat_template.jinja or tokenizer_config.json's \"chat_template\" in --model DIR, or --template FILE;",
                "it sees the special tokens of tokenizer_config.json (bos_token, eos_token, ...). With --tokens, the text is followed",
                "by a newline and its token ids as one JSON array (tokenizer.json, no special tokens added: apply_chat_template's",
                "tokenize=True). Templates use a Jinja subset (docs/tokenizers.md); constructs outside it are refused by name."})
final class ChatTemplateCommand implements Callable<Integer>, DeclaresFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "Model directory: chat_template.jinja or tokenizer_config.json, and tokenizer.json for --tokens.")
        Path model;

        @Option(names = "--template", required = true, paramLabel = "FILE",
                description = "A template file (.jinja: special tokens from the tokenizer_config.json beside it) or a tokenizer_config.json.")
        Path template;
    }

    @Option(names = "--messages", required = true, paramLabel = "FILE",
            description = "The conversation: a JSON list of messages ({\"role\", \"content\", ...}), or an object with \"messages\" and \"tools\".")
    Path messages;

    @Option(names = "--add-generation-prompt", description = "End with the header of an assistant turn, for the model to complete.")
    boolean addGenerationPrompt;

    @Option(names = "--tools", paramLabel = "FILE", description = "Tools offered to the model: a JSON list of tool schemas ({\"type\": \"function\", ...}).")
    Path tools;

    @Option(names = "--tokens", description = "Also print the text's token ids (a JSON array on the last line) with the directory's tokenizer.json.")
    boolean tokens;

    @Override
    public void declareFiles(PathGuard files) {
        files.input("--model", source.model);
        files.inputFile("--template", source.template);
        files.inputFile("--messages", messages);
        files.inputFile("--tools", tools);
    }

    @Override
    public Integer call() throws Exception {
        ChatTemplate template = source.model != null ? ChatTemplate.fromModelDirectory(source.model) : ChatTemplate.fromFile(source.template);
        Conversation conversation = Conversation.read(messages);
        List<Map<String, Object>> toolList = conversation.tools();
        if (tools != null) {
            if (toolList != null) {
                throw new IllegalArgumentException("--tools: " + messages + " has \"tools\" already; give the tools once");
            }
            toolList = Conversation.readTools(tools);
        }
        Tokenizer tokenizer = tokens ? tokenizer() : null;
        String text = template.render(conversation.messages(), toolList, addGenerationPrompt, Map.of());
        PrintWriter out = spec.commandLine().getOut();
        out.print(text);
        if (tokenizer != null) {
            out.print('\n');
            out.print(JSON.writeValueAsString(tokenizer.encode(text, false)));
            out.print('\n');
        }
        out.flush();
        return 0;
    }

    /** The tokenizer.json of the model directory, or of the template file's directory. */
    private Tokenizer tokenizer() throws IOException {
        Path dir = source.model != null ? source.model : source.template.toAbsolutePath().getParent();
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--tokens: " + dir + " has no tokenizer.json to encode the text with; give --model DIR "
                    + "with one, or leave out --tokens");
        }
        return Tokenizer.load(file);
    }
}
