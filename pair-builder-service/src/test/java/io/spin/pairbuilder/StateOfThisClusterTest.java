package io.spin.pairbuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateOfThisClusterTest {

    @Test
    void stateOfAnotherClusterIsRemovedAndStateOfThisOneKept(@TempDir Path folder) throws Exception {
        Files.createDirectories(folder.resolve("spin-pair-builder/1_0/rocksdb"));
        Files.writeString(folder.resolve("spin-pair-builder/1_0/.checkpoint"), "offsets");
        assertTrue(StateOfThisCluster.keepOnlyStateOf("cluster-A", folder), "state of an unknown cluster is not trusted");
        assertFalse(Files.exists(folder.resolve("spin-pair-builder")));
        assertEquals("cluster-A", Files.readString(folder.resolve(StateOfThisCluster.MARK)).trim());

        Files.createDirectories(folder.resolve("spin-pair-builder/1_0"));
        assertFalse(StateOfThisCluster.keepOnlyStateOf("cluster-A", folder), "the same cluster keeps its state");
        assertTrue(Files.exists(folder.resolve("spin-pair-builder/1_0")));

        assertTrue(StateOfThisCluster.keepOnlyStateOf("cluster-B", folder), "a new cluster");
        assertFalse(Files.exists(folder.resolve("spin-pair-builder")));
        assertEquals("cluster-B", Files.readString(folder.resolve(StateOfThisCluster.MARK)).trim());
    }

    @Test
    void anEmptyFolderIsSimplyMarked(@TempDir Path folder) throws Exception {
        assertFalse(StateOfThisCluster.keepOnlyStateOf("cluster-A", folder.resolve("new")));
        assertTrue(Files.exists(folder.resolve("new").resolve(StateOfThisCluster.MARK)));
    }
}
