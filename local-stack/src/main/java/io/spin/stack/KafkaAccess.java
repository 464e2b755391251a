package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourcePatternFilter;

import io.spin.contract.ServicePrincipal;

/**
 * Gives each service its SCRAM user and exactly the ACLs of its role ({@link ServicePrincipal}): what a role no longer
 * allows (an installation made by an older version, say, when every service could write the control log) is removed.
 * Idempotent, run at every up.
 */
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
        List<AclBindingFilter> stale = new ArrayList<>();
        for (ServicePrincipal service : ServicePrincipal.values()) {
            beyondRole(admin, service).stream().map(AclBinding::toFilter).forEach(stale::add);
        }
        if (!stale.isEmpty()) {
            admin.deleteAcls(stale).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The ACLs a service has beyond its role; none once {@link #ensure} has run. */
    static List<AclBinding> beyondRole(Admin admin, ServicePrincipal service) throws Exception {
        Set<AclBinding> role = new HashSet<>(service.acls());
        AclBindingFilter ofService = new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter("User:" + service.user(),
                null, AclOperation.ANY, AclPermissionType.ANY));
        return admin.describeAcls(ofService).values().get(30, TimeUnit.SECONDS).stream().filter(b -> !role.contains(b)).toList();
    }

    static UserScramCredentialUpsertion user(String name, String password) {
        return new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), password);
    }
}
