package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import io.spin.commons.stack.StackEndpoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;

/** S3Proxy with a filesystem backend: a real S3 API server (no MinIO server can be had on these machines). */
final class ObjectStore implements Component {

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String title() {
        return "S3 server (S3Proxy)";
    }

    @Override
    public Map<Integer, String> ports(StackSettings s) {
        return Map.of(s.s3Port(), "--s3-port or SPIN_S3_PORT");
    }

    @Override
    public String endpoint(StackSettings s) {
        return "http://127.0.0.1:" + s.s3Port();
    }

    @Override
    public void prepare(StackSettings s, Path dir, StackEndpoints endpoints) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", endpoint(s));
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", endpoints.s3AccessKey());
        p.setProperty("s3proxy.credential", endpoints.s3SecretKey());
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", dir.resolve("data").toAbsolutePath().toString());
        Path conf = dir.resolve("s3proxy.conf");
        PrivateFiles.store(conf, p, "S3Proxy of the SPIN local stack (holds this installation's generated credentials)");
    }

    @Override
    public Path java(Map<String, String> env) {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    @Override
    public String image(SpinImages images) {
        return images.objectStore();
    }

    @Override
    public List<String> arguments(StackSettings s, Path dir) {
        return List.of("-Xms64m", "-Xmx256m", "-jar", s.dist().resolve("s3proxy/s3proxy.jar").toAbsolutePath().toString(),
                "--properties", dir.resolve("s3proxy.conf").toAbsolutePath().toString());
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("LOG_LEVEL", "warn");
    }

    @Override
    public Duration startTimeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    public boolean healthy(StackSettings s, StackEndpoints endpoints) throws Exception {
        MinioClient client = MinioClient.builder().endpoint(endpoint(s))
                .credentials(endpoints.s3AccessKey(), endpoints.s3SecretKey()).build();
        if (!client.bucketExists(BucketExistsArgs.builder().bucket(endpoints.bucket()).build())) {
            client.makeBucket(MakeBucketArgs.builder().bucket(endpoints.bucket()).build());
        }
        return true;
    }
}
