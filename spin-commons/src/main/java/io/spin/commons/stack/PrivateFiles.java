package io.spin.commons.stack;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * Files that hold this installation's secrets (credentials, tokens, the broker's and registry's configuration): the
 * user's alone (mode 600) from the first byte, and replaced whole (written beside, then moved), never half-written.
 */
public final class PrivateFiles {
    private PrivateFiles() {
    }

    /** A folder only the user may enter (700): the stack's home, which holds these files, their logs and data. */
    public static Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    public static Path store(Path file, Properties properties, String comment) throws IOException {
        return write(file, out -> properties.store(out, comment));
    }

    public static Path writeString(Path file, String text) throws IOException {
        return write(file, out -> out.write(text));
    }

    private interface Content {
        void writeTo(Writer out) throws IOException;
    }

    private static Path write(Path file, Content content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer out = Files.newBufferedWriter(tmp)) {
            content.writeTo(out);
        }
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
