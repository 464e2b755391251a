package io.spin.core.model;

import java.util.Locale;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.types.DataType;

/**
 * Where the model computes and in what precision, from the environment: {@code SPIN_DEVICE} = auto (the first GPU when
 * the engine sees one, else the CPU; the default), cpu, gpu or gpu:N; {@code SPIN_SAMPLING_DTYPE} = float32 or
 * float16 (default: float16 on a GPU, float32 on the CPU); {@code SPIN_FROZEN_DTYPE} = float32 or float16, how a LoRA
 * policy holds its frozen base (default: float16 on a GPU, float32 on the CPU, where float16 products are about 2x
 * slower). Trained weights, adapters, optimizer state and the arithmetic stay float32: a float16 base is widened one
 * layer at a time. bfloat16 is refused: DJL 0.36's PyTorch binding aborts the process on a cast to it (measured here),
 * so it cannot be offered safely.
 */
public record Compute(Device device, DataType samplingType, DataType frozenType) {
    public static final String DEVICE = "SPIN_DEVICE";
    public static final String SAMPLING_DTYPE = "SPIN_SAMPLING_DTYPE";
    public static final String FROZEN_DTYPE = "SPIN_FROZEN_DTYPE";

    private static volatile Compute current;

    /** This process's settings, read from the environment once. */
    public static Compute current() {
        if (current == null) {
            current = fromEnvironment();
        }
        return current;
    }

    public static Compute fromEnvironment() {
        // a CPU build of libtorch has no CUDA capability: then the GPUs are not even looked for
        Engine engine = Engine.getInstance();
        int gpus = engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
        return of(System.getenv(DEVICE), System.getenv(SAMPLING_DTYPE), System.getenv(FROZEN_DTYPE), gpus);
    }

    /** The settings as given (null = default) on a machine whose engine sees {@code gpus} GPUs. */
    public static Compute of(String device, String samplingType, int gpus) {
        return of(device, samplingType, null, gpus);
    }

    /** The settings as given (null = default) on a machine whose engine sees {@code gpus} GPUs. */
    public static Compute of(String device, String samplingType, String frozenType, int gpus) {
        String d = device == null || device.isBlank() ? "auto" : device.trim().toLowerCase(Locale.ROOT);
        Device chosen;
        if (d.equals("auto")) {
            chosen = gpus > 0 ? Device.gpu(0) : Device.cpu();
        } else if (d.equals("cpu")) {
            chosen = Device.cpu();
        } else if (d.matches("gpu(:\\d+)?")) {
            int index = d.contains(":") ? Integer.parseInt(d.substring(4)) : 0;
            if (index >= gpus) {
                throw new IllegalArgumentException(DEVICE + "=" + device + " but the PyTorch engine sees " + gpus + " GPU(s)"
                        + (gpus == 0 ? " (is this a build with CUDA natives, mvn -Pcuda, on a machine with a GPU and its driver?)" : ""));
            }
            chosen = Device.gpu(index);
        } else {
            throw new IllegalArgumentException(DEVICE + "='" + device + "' is not auto, cpu, gpu or gpu:N");
        }
        return new Compute(chosen, precision(SAMPLING_DTYPE, samplingType, chosen), precision(FROZEN_DTYPE, frozenType, chosen));
    }

    private static DataType precision(String variable, String value, Device device) {
        String t = value == null || value.isBlank() ? (device.isGpu() ? "float16" : "float32") : value.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "float32" -> DataType.FLOAT32;
            case "float16" -> DataType.FLOAT16;
            case "bfloat16" -> throw new IllegalArgumentException(variable + "=bfloat16 is not offered: DJL 0.36's PyTorch binding"
                    + " aborts the process on a cast to bfloat16; use float16 (or float32)");
            default -> throw new IllegalArgumentException(variable + "='" + value + "' is not float32 or float16");
        };
    }

    public static Compute cpu() {
        return new Compute(Device.cpu(), DataType.FLOAT32, DataType.FLOAT32);
    }
}
