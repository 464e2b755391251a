package io.spin.core.lora;

import io.spin.data.model.LoraConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import io.spin.data.hf.HfConfig;
import io.spin.data.hf.SafeTensors;
import io.spin.data.hf.TensorType;
import io.spin.data.model.ModelConfig;

/**
 * A model's LoRA adapters, named as PEFT names them in {@code adapter_model.safetensors}
 * ({@code base_model.model.model.layers.<i>.self_attn.q_proj.lora_A.weight}, ...): the names are also the parameters'
 * names, so optimizer state, checkpoints and the PEFT export all speak one language.
 */
public final class Lora implements AutoCloseable {
    static final String PREFIX = "base_model.model.";
    private final LoraConfig config;
    private final List<LayerAdapters> layers;
    private final PairList<String, Parameter> parameters;

    private Lora(LoraConfig config, List<LayerAdapters> layers, PairList<String, Parameter> parameters) {
        this.config = config;
        this.layers = layers;
        this.parameters = parameters;
    }

    /** Fresh adapters: A as PEFT's kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), B zero. */
    public static Lora create(ModelConfig model, LoraConfig config, NDManager manager, long seed) {
        Random random = new Random(seed ^ 0x4c6f5241L);
        return build(model, config, manager, (name, shape) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            if (name.endsWith("lora_A.weight")) {
                double bound = 1.0 / Math.sqrt(shape.get(1));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                }
            }
            return v;
        });
    }

    /** Adapters with the given values by PEFT name (a saved adapter); fails naming a missing or misshapen tensor. */
    public static Lora of(ModelConfig model, LoraConfig config, NDManager manager, Map<String, float[]> values) {
        return build(model, config, manager, (name, shape) -> {
            float[] v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("adapter tensor " + name + " is missing");
            }
            if (v.length != shape.size()) {
                throw new IllegalArgumentException("adapter tensor " + name + " holds " + v.length + " values; " + shape + " needs " + shape.size());
            }
            return v;
        });
    }

    private interface Values {
        float[] of(String name, Shape shape);
    }

    private static Lora build(ModelConfig model, LoraConfig config, NDManager manager, Values values) {
        if (model.family() != HfConfig.Family.LLAMA) {
            throw new IllegalArgumentException("LoRA needs a Llama-family model (Llama, Mistral, Qwen2); this one is " + model.architecture());
        }
        List<LayerAdapters> layers = new ArrayList<>();
        PairList<String, Parameter> parameters = new PairList<>();
        for (int l = 0; l < model.layers(); l++) {
            LayerAdapters layer = new LayerAdapters((float) config.scale());
            for (String module : config.targets()) {
                long[] io = inOut(model, module);
                String base = PREFIX + modulePath(l, module);
                Parameter a = parameter(manager, base + ".lora_A.weight", new Shape(config.rank(), io[0]), values);
                Parameter b = parameter(manager, base + ".lora_B.weight", new Shape(io[1], config.rank()), values);
                parameters.add(a.getName(), a);
                parameters.add(b.getName(), b);
                layer.put(module, new Adapter(a, b));
            }
            layers.add(layer);
        }
        return new Lora(config, layers, parameters);
    }

    private static Parameter parameter(NDManager manager, String name, Shape shape, Values values) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(values.of(name, shape), shape);
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    /** Hugging Face's path of a layer's module: model.layers.<i>.self_attn.q_proj or model.layers.<i>.mlp.up_proj. */
    static String modulePath(int layer, String module) {
        boolean attention = module.endsWith("_proj") && "qkvo".indexOf(module.charAt(0)) >= 0 && module.length() == 6;
        return "model.layers." + layer + (attention ? ".self_attn." : ".mlp.") + module;
    }

    /** The module's (in, out) features. */
    static long[] inOut(ModelConfig m, String module) {
        return switch (module) {
            case "q_proj", "o_proj" -> new long[] {m.width(), m.width()};
            case "k_proj", "v_proj" -> new long[] {m.width(), m.kvWidth()};
            case "gate_proj", "up_proj" -> new long[] {m.width(), m.mlpWidth()};
            case "down_proj" -> new long[] {m.mlpWidth(), m.width()};
            default -> throw new IllegalArgumentException("no LoRA target " + module);
        };
    }

    public LoraConfig config() {
        return config;
    }

    public LayerAdapters layer(int index) {
        return layers.get(index);
    }

    /** The trainable parameters, by PEFT name. */
    public PairList<String, Parameter> parameters() {
        return parameters;
    }

    /** Every adapter tensor in PEFT's layout and names: what adapter_model.safetensors holds. */
    public Map<String, SafeTensors.Tensor> tensors(TensorType dtype) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        for (var p : parameters) {
            NDArray array = p.getValue().getArray();
            out.put(p.getKey(), new SafeTensors.Tensor(array.toFloatArray(), array.getShape().getShape(), dtype));
        }
        return out;
    }

    /**
     * A Hugging Face weight (model.layers.0.self_attn.q_proj.weight, out x in) with its adapter merged in, PEFT's
     * formula W + (alpha / r) B A; weights of untargeted modules come back as they were.
     */
    public float[] merged(String hfWeightName, float[] weight) {
        if (!hfWeightName.endsWith(".weight")) {
            return weight;
        }
        String module = PREFIX + hfWeightName.substring(0, hfWeightName.length() - ".weight".length());
        int at = parameters.indexOf(module + ".lora_A.weight");
        if (at < 0) {
            return weight;
        }
        NDArray a = parameters.get(at).getValue().getArray();
        NDArray b = parameters.get(module + ".lora_B.weight").getArray();
        int rank = config.rank();
        int in = Math.toIntExact(a.getShape().get(1));
        int outs = Math.toIntExact(b.getShape().get(0));
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        float[] out = weight.clone();
        double scale = config.scale();
        for (int o = 0; o < outs; o++) {
            for (int r = 0; r < rank; r++) {
                double coefficient = scale * bv[o * rank + r];
                for (int i = 0; i < in; i++) {
                    out[o * in + i] += (float) (coefficient * av[r * in + i]);
                }
            }
        }
        return out;
    }

    /** Frees the adapters' arrays (replaced adapters; the policy's manager frees them otherwise). */
    @Override
    public void close() {
        for (var p : parameters) {
            p.getValue().getArray().close();
        }
    }

    /** PEFT's adapter_config.json for these adapters. */
    public Map<String, Object> adapterConfig(String baseModel) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", config.rank());
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", 0.0);
        c.put("target_modules", config.targets());
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("use_rslora", false);
        c.put("use_dora", false);
        c.put("init_lora_weights", true);
        c.put("modules_to_save", null);
        c.put("inference_mode", true);
        return c;
    }
}
