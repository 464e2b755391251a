package io.spin.commons.stack;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import io.spin.contract.KafkaCredentials;
import io.spin.storage.ObjectStorage;

/**
 * Where a running stack answers, and the S3 credentials to use. The same names serve as environment variables
 * ({@code SPIN_KAFKA_BOOTSTRAP} ...), so tests and services can be pointed at any stack, local or remote.
 */
public record StackEndpoints(String kafkaBootstrap, String registryUrl, String s3Endpoint, String s3AccessKey,
                             String s3SecretKey, String bucket, String kafkaUser, String kafkaPassword) {

    /** A stack whose broker takes anyone (the Testcontainers variant). */
    public StackEndpoints(String kafkaBootstrap, String registryUrl, String s3Endpoint, String s3AccessKey, String s3SecretKey,
                          String bucket) {
        this(kafkaBootstrap, registryUrl, s3Endpoint, s3AccessKey, s3SecretKey, bucket, null, null);
    }

    public static final String KAFKA_BOOTSTRAP = "SPIN_KAFKA_BOOTSTRAP";
    public static final String REGISTRY_URL = "SPIN_REGISTRY_URL";
    public static final String S3_ENDPOINT = "SPIN_S3_ENDPOINT";
    public static final String S3_ACCESS_KEY = "SPIN_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY = "SPIN_S3_SECRET_KEY";
    public static final String S3_BUCKET = "SPIN_S3_BUCKET";

    /** Apicurio's v3 REST API, which its serdes want. */
    public String registryApiV3() {
        return registryUrl + "/apis/registry/v3";
    }

    /** The Confluent-compatible API, for clients that are not Apicurio's. */
    public String registryCcompat() {
        return registryUrl + "/apis/ccompat/v7";
    }

    /** The Kafka principal these endpoints act as (the stack's admin locally), or null for a broker without authentication. */
    public KafkaCredentials kafkaCredentials() {
        return kafkaUser == null ? null : new KafkaCredentials(kafkaUser, kafkaPassword, null);
    }

    /**
     * Makes these endpoints' Kafka principal this process's ({@link KafkaCredentials#current()}) unless the environment
     * names one: the CLI and test JVMs then reach the broker as the stack's admin.
     */
    public StackEndpoints actAsThisProcess() {
        if (kafkaUser != null && KafkaCredentials.current() == null) {
            System.setProperty(KafkaCredentials.USER, kafkaUser);
            System.setProperty(KafkaCredentials.PASSWORD, kafkaPassword);
        }
        return this;
    }

    /** Settings for a Kafka client of this stack: the bootstrap servers and, when the broker wants them, the credentials. */
    public Map<String, Object> kafkaClientConfig() {
        return clientConfig(kafkaCredentials());
    }

    /**
     * What a client acting as {@code service} connects with: that service's own principal (derived from the admin's
     * password, as the local broker's users are), or the plain bootstrap when the broker takes anyone.
     */
    public Map<String, Object> kafkaClientConfig(io.spin.contract.ServicePrincipal service) {
        return clientConfig(kafkaUser == null ? null
                : new KafkaCredentials(service.user(), KafkaUsers.password(kafkaPassword, service.user()), null));
    }

    private Map<String, Object> clientConfig(KafkaCredentials credentials) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("bootstrap.servers", kafkaBootstrap);
        if (credentials != null) {
            config.putAll(credentials.clientConfig());
        }
        return config;
    }

    /**
     * The contract's registration as the deployment step does it: as the registry's deployer when the stack's registry
     * lets only it write (the local one), else anonymously.
     */
    public io.spin.commons.registry.RegistrySchemas registrySchemas() {
        return kafkaPassword == null ? new io.spin.commons.registry.RegistrySchemas(registryApiV3())
                : new io.spin.commons.registry.RegistrySchemas(registryApiV3(), KafkaUsers.REGISTRY_DEPLOYER, registryDeployerPassword());
    }

    /** The password of the registry's one writer (the deployment step), or null when the registry lets anyone write. */
    public String registryDeployerPassword() {
        return kafkaPassword == null ? null : KafkaUsers.password(kafkaPassword, KafkaUsers.REGISTRY_DEPLOYER);
    }

    /** A client for this stack's bucket, with the default retries. */
    public ObjectStorage objectStorage() {
        return new ObjectStorage(s3Endpoint, s3AccessKey, s3SecretKey, bucket);
    }

    public Map<String, String> asEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(KAFKA_BOOTSTRAP, kafkaBootstrap);
        env.put(REGISTRY_URL, registryUrl);
        env.put(S3_ENDPOINT, s3Endpoint);
        env.put(S3_ACCESS_KEY, s3AccessKey);
        env.put(S3_SECRET_KEY, s3SecretKey);
        env.put(S3_BUCKET, bucket);
        if (kafkaUser != null) {
            env.put(KafkaCredentials.USER, kafkaUser);
            env.put(KafkaCredentials.PASSWORD, kafkaPassword);
        }
        return env;
    }

    /** Endpoints from the environment, or null when {@code SPIN_KAFKA_BOOTSTRAP} is not set. */
    public static StackEndpoints fromEnvironment(Map<String, String> env) {
        if (env.get(KAFKA_BOOTSTRAP) == null || env.get(KAFKA_BOOTSTRAP).isBlank()) {
            return null;
        }
        return new StackEndpoints(env.get(KAFKA_BOOTSTRAP), required(env, REGISTRY_URL), required(env, S3_ENDPOINT),
                required(env, S3_ACCESS_KEY), required(env, S3_SECRET_KEY), env.getOrDefault(S3_BUCKET, "spin"),
                blankToNull(env.get(KafkaCredentials.USER)), blankToNull(env.get(KafkaCredentials.PASSWORD)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(KAFKA_BOOTSTRAP + " is set, so " + name + " must be set too");
        }
        return value;
    }

    /** Holds the S3 keys and the Kafka admin's password: written by {@link PrivateFiles}, mode 600 from the first byte. */
    public void write(Path file) throws IOException {
        Properties props = new Properties();
        props.putAll(asEnvironment());
        PrivateFiles.store(file, props, "endpoints of the running SPIN local stack");
    }

    public static StackEndpoints read(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(n -> map.put(n, props.getProperty(n)));
        return fromEnvironment(map);
    }
}
