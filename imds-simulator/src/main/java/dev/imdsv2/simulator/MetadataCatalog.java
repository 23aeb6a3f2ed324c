package dev.imdsv2.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The metadata one instance serves, below a version root such as {@code /latest/}.
 * Directory listings are derived from the leaves, the way IMDS lists them: one entry a line,
 * sub-directories with a trailing slash.
 */
final class MetadataCatalog {
    static final String INSTANCE_ID = "i-0b22a22eec53b9321";
    static final String ROLE = "imds-demo-role";
    static final String REGION = "us-east-1";
    static final String AVAILABILITY_ZONE = "us-east-1a";
    static final String ACCOUNT_ID = "123456789012";
    static final String AMI_ID = "ami-0c02fb55956c7d316";
    static final String INSTANCE_TYPE = "t3.micro";
    static final String LOCAL_IPV4 = "172.31.17.42";
    static final String HOSTNAME = "ip-172-31-17-42.ec2.internal";

    private static final Instant LAUNCHED = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private final Map<String, Supplier<String>> leaves = new LinkedHashMap<>();

    MetadataCatalog() {
        fixed("meta-data/ami-id", AMI_ID);
        fixed("meta-data/hostname", HOSTNAME);
        fixed("meta-data/instance-id", INSTANCE_ID);
        fixed("meta-data/instance-type", INSTANCE_TYPE);
        fixed("meta-data/local-hostname", HOSTNAME);
        fixed("meta-data/local-ipv4", LOCAL_IPV4);
        fixed("meta-data/mac", "0e:3a:5b:7c:9d:11");
        fixed("meta-data/placement/availability-zone", AVAILABILITY_ZONE);
        fixed("meta-data/placement/region", REGION);
        leaves.put("meta-data/iam/info", MetadataCatalog::iamInfo);
        leaves.put("meta-data/iam/security-credentials/" + ROLE, MetadataCatalog::credentials);
        leaves.put("dynamic/instance-identity/document", MetadataCatalog::identityDocument);
        fixed("user-data", "#!/bin/bash\necho 'hello from user-data' > /tmp/user-data.txt\n");
    }

    private void fixed(String path, String value) {
        leaves.put(path, () -> value);
    }

    /** The body for a path below the version root ("" is the root), or empty for 404. */
    Optional<String> lookup(String path) {
        Supplier<String> leaf = leaves.get(path);
        if (leaf != null) {
            return Optional.of(leaf.get());
        }
        String dir = path.isEmpty() || path.endsWith("/") ? path : path + "/";
        Set<String> children = new LinkedHashSet<>();
        for (String key : leaves.keySet()) {
            if (key.startsWith(dir)) {
                String rest = key.substring(dir.length());
                int slash = rest.indexOf('/');
                children.add(slash < 0 ? rest : rest.substring(0, slash + 1));
            }
        }
        return children.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", children));
    }

    private static String iamInfo() {
        return "{\n"
                + "  \"Code\" : \"Success\",\n"
                + "  \"LastUpdated\" : \"" + now() + "\",\n"
                + "  \"InstanceProfileArn\" : \"arn:aws:iam::" + ACCOUNT_ID + ":instance-profile/" + ROLE + "\",\n"
                + "  \"InstanceProfileId\" : \"AIPAQSIMULATEDPROFILE\"\n"
                + "}";
    }

    // Field names and layout as real IMDS serves them; old SDKs parse this with their own JSON code.
    private static String credentials() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return "{\n"
                + "  \"Code\" : \"Success\",\n"
                + "  \"LastUpdated\" : \"" + now + "\",\n"
                + "  \"Type\" : \"AWS-HMAC\",\n"
                + "  \"AccessKeyId\" : \"ASIAQSIMULATEDKEY001\",\n"
                + "  \"SecretAccessKey\" : \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYSIMULATEDKEY\",\n"
                + "  \"Token\" : \"IQoJb3JpZ2luX2VjEIMDS//////////SimulatedSessionTokenForTestsOnly0123456789==\",\n"
                + "  \"Expiration\" : \"" + now.plus(6, ChronoUnit.HOURS) + "\"\n"
                + "}";
    }

    private static String identityDocument() {
        return "{\n"
                + "  \"accountId\" : \"" + ACCOUNT_ID + "\",\n"
                + "  \"architecture\" : \"x86_64\",\n"
                + "  \"availabilityZone\" : \"" + AVAILABILITY_ZONE + "\",\n"
                + "  \"billingProducts\" : null,\n"
                + "  \"devpayProductCodes\" : null,\n"
                + "  \"marketplaceProductCodes\" : null,\n"
                + "  \"imageId\" : \"" + AMI_ID + "\",\n"
                + "  \"instanceId\" : \"" + INSTANCE_ID + "\",\n"
                + "  \"instanceType\" : \"" + INSTANCE_TYPE + "\",\n"
                + "  \"kernelId\" : null,\n"
                + "  \"pendingTime\" : \"" + LAUNCHED + "\",\n"
                + "  \"privateIp\" : \"" + LOCAL_IPV4 + "\",\n"
                + "  \"ramdiskId\" : null,\n"
                + "  \"region\" : \"" + REGION + "\",\n"
                + "  \"version\" : \"2017-09-30\"\n"
                + "}";
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
