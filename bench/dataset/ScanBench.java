// The dataset check alone (JsonlDataset.scan: every line parsed and checked, duplicate ids found) over a file, 3 rounds, at a
// small heap: bench/dataset/scan FILE (after mvn install -pl spin-data).
import java.nio.file.*;
public class ScanBench {
    public static void main(String[] a) throws Exception {
        for (int round = 0; round < 3; round++) {
            long t = System.nanoTime();
            int n;
            try (var in = Files.newInputStream(Path.of(a[0]))) { n = io.spin.data.JsonlDataset.scan("y.jsonl", in, e -> { }); }
            Runtime r = Runtime.getRuntime();
            System.out.printf("round %d: %d examples in %.2f s, heap used %d MB%n", round, n, (System.nanoTime() - t) / 1e9, (r.totalMemory() - r.freeMemory()) >> 20);
        }
    }
}
