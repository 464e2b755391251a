package io.spin.stack;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The text of a java launcher argument file ({@code java @file}): one argument a line, each quoted, so arguments that
 * must not show in a process listing (a password) travel in a file instead of on the command line.
 */
final class JavaArgFile {
    private JavaArgFile() {
    }

    static String of(List<String> args) {
        return args.stream().map(JavaArgFile::quoted).collect(Collectors.joining("\n", "", "\n"));
    }

    /** Inside double quotes the launcher takes every character as it is, except a backslash escaping the next one. */
    static String quoted(String arg) {
        if (arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("an argument file cannot carry a line break");
        }
        return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
