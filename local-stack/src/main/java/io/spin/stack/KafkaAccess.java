package io.spin.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;

import io.spin.contract.ServicePrincipal;

/** Gives each service its SCRAM user and the ACLs of its role ({@link ServicePrincipal}); both idempotent, run at every up. */
final class KafkaAccess {
    private static final int ITERATIONS = 8192;

    private KafkaAccess() {
    }

    static void ensure(Admin admin, String adminPassword) throws Exception {
        List<UserScramCredentialUpsertion> users = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        for (ServicePrincipal service : ServicePrincipal.values()) {
            users.add(user(service.user(), KafkaUsers.password(adminPassword, service.user())));
            acls.addAll(service.acls());
        }
        admin.alterUserScramCredentials(new ArrayList<>(users)).all().get(30, TimeUnit.SECONDS);
        admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }

    static UserScramCredentialUpsertion user(String name, String password) {
        return new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), password);
    }
}
