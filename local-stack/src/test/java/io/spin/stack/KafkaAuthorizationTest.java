package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.spin.contract.KafkaCredentials;
import io.spin.contract.ServicePrincipal;
import io.spin.contract.SpinTopic;

/**
 * The local broker as `./spin up` runs it: nobody gets in without a SCRAM credential, and each service's principal is
 * refused everything outside its role ({@link ServicePrincipal}), while what its role allows works.
 */
class KafkaAuthorizationTest {
    static StackEndpoints stack;

    @BeforeAll
    static void stack() {
        stack = SharedStack.endpoints();
        Assumptions.assumeTrue(stack.kafkaUser() != null, "the stack's broker takes anyone (started without authentication)");
    }

    private static Map<String, Object> as(String user, String password) {
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", stack.kafkaBootstrap()));
        config.putAll(new KafkaCredentials(user, password, null).clientConfig());
        return config;
    }

    private static Map<String, Object> as(ServicePrincipal service) {
        return as(service.user(), KafkaUsers.password(stack.kafkaPassword(), service.user()));
    }

    @Test
    void aClientWithoutCredentialsOrWithAWrongPasswordIsRefused() {
        Map<String, Object> anonymous = new HashMap<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000));
        try (Admin admin = Admin.create(anonymous)) {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get(10, TimeUnit.SECONDS));
            assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, refused.getCause(), "plain text on a SASL listener gets nowhere");
        }
        Map<String, Object> wrong = as(ServicePrincipal.GENERATOR.user(), "not-the-password");
        wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        try (Admin admin = Admin.create(wrong)) {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get(15, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
        }
        // the controller's listener takes only the controller's own principal
        int controllerPort = Integer.parseInt(stack.kafkaBootstrap().substring(stack.kafkaBootstrap().lastIndexOf(':') + 1)) + 1;
        Map<String, Object> controller = as(KafkaUsers.ADMIN, stack.kafkaPassword());
        controller.remove("bootstrap.servers");
        controller.put(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, "127.0.0.1:" + controllerPort);
        controller.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
        controller.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(controller)) {
            assertThrows(ExecutionException.class, () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void eachServiceReadsAndDescribesItsTopicsAndIsRefusedEveryOtherTopic() throws Exception {
        List<String> checked = new ArrayList<>();
        for (ServicePrincipal service : ServicePrincipal.values()) {
            Map<String, Object> consumer = as(service);
            consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            for (SpinTopic topic : SpinTopic.values()) {
                try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumer)) {
                    c.assign(List.of(new TopicPartition(topic.topicName(), 0)));
                    c.seekToEnd(List.of(new TopicPartition(topic.topicName(), 0)));
                    if (service.reads().contains(topic)) {
                        c.poll(Duration.ofMillis(200));
                    } else {
                        TopicAuthorizationException refused = assertThrows(TopicAuthorizationException.class, () -> c.poll(Duration.ofSeconds(5)),
                                service.user() + " reads " + topic.topicName());
                        assertTrue(refused.unauthorizedTopics().contains(topic.topicName()));
                    }
                }
                checked.add(service.user() + (service.reads().contains(topic) ? " reads " : " may not read ") + topic.topicName());
            }
        }
        assertEquals(ServicePrincipal.values().length * SpinTopic.values().length, checked.size(), checked.toString());
    }

    @Test
    void eachServiceIsRefusedWritingOutsideItsRole() throws Exception {
        for (ServicePrincipal service : ServicePrincipal.values()) {
            Map<String, Object> producer = as(service);
            producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producer)) {
                for (SpinTopic topic : SpinTopic.values()) {
                    if (!service.writes().contains(topic)) {
                        ExecutionException refused = assertThrows(ExecutionException.class,
                                () -> p.send(new ProducerRecord<>(topic.topicName(), "refused", new byte[] {1})).get(15, TimeUnit.SECONDS),
                                service.user() + " writes " + topic.topicName());
                        assertInstanceOf(TopicAuthorizationException.class, refused.getCause(), service.user() + " -> " + topic.topicName());
                    }
                }
            }
        }
    }

    @Test
    void anotherServicesConsumerGroupAndTransactionalIdAreRefused() {
        Map<String, Object> consumer = as(ServicePrincipal.TRAINER);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "spin-generators");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumer)) {
            c.subscribe(List.of(SpinTopic.CONTROL.topicName()));
            assertThrows(GroupAuthorizationException.class, () -> c.poll(Duration.ofSeconds(5)), "the trainer joins the generators' group");
        }
        Map<String, Object> producer = as(ServicePrincipal.GENERATOR);
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "spin-orchestrator");
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producer)) {
            assertThrows(TransactionalIdAuthorizationException.class, p::initTransactions, "a generator fences the orchestrator");
        }
    }

    @Test
    void anAclAnOlderVersionGaveIsTakenAwayAtTheNextUp() throws Exception {
        // before the single-writer control log, every service could write it
        AclBinding old = new AclBinding(new ResourcePattern(ResourceType.TOPIC, SpinTopic.CONTROL.topicName(), PatternType.LITERAL),
                new AccessControlEntry("User:" + ServicePrincipal.GENERATOR.user(), "*", AclOperation.WRITE, AclPermissionType.ALLOW));
        try (Admin admin = Admin.create(as(KafkaUsers.ADMIN, stack.kafkaPassword()))) {
            admin.createAcls(List.of(old)).all().get(30, TimeUnit.SECONDS);
            assertEquals(List.of(old), KafkaAccess.beyondRole(admin, ServicePrincipal.GENERATOR));
            KafkaAccess.ensure(admin, stack.kafkaPassword());
            for (ServicePrincipal service : ServicePrincipal.values()) {
                assertEquals(List.of(), KafkaAccess.beyondRole(admin, service), service.user());
            }
        }
    }
}
