package dev.imdsv2.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.amazonaws.auth.AWSCredentials;
import com.amazonaws.auth.InstanceProfileCredentialsProvider;
import com.amazonaws.util.EC2MetadataUtils;

/**
 * A legacy service, the kind imdsv2-agent is for: on a schedule it reads its instance id, region, IAM role
 * credentials and identity document the IMDSv1 way (no token) through HttpURLConnection, Apache HttpClient
 * 4, OkHttp, the JDK HttpClient and the AWS SDK for Java v1 1.11.x (from before IMDSv2).
 *
 * <p>Usage: {@code java -jar demo-app.jar [--imds URL] [--rounds 1] [--interval-ms 1000] [--linger-ms 0]}. {@code --imds}
 * defaults to the IMDS simulator's own default, {@code http://127.0.0.1:1338}: a demo never reaches the real
 * {@code 169.254.169.254} unless told to. The AWS SDK follows {@code --imds} through its endpoint-override system
 * property. Prints one line per client and round, and {@code SUMMARY ok=N failed=N} at the end; an unknown option
 * or a bad value is a usage error (exit 2).
 */
public final class LegacyService {
    private static final Logger log = LoggerFactory.getLogger(LegacyService.class);
    private static final String ROLE_PATH = "/latest/meta-data/iam/security-credentials/";
    /** Where {@code java -jar imds-simulator.jar} listens when given no options. */
    static final String SIMULATOR_DEFAULT = "http://127.0.0.1:1338";

    private LegacyService() {
    }

    static final String USAGE = "usage: java -jar demo-app.jar [--imds URL (default " + SIMULATOR_DEFAULT + ")]"
            + " [--rounds N] [--interval-ms MS] [--linger-ms MS]";

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        options.put("--imds", SIMULATOR_DEFAULT);
        options.put("--rounds", "1");
        options.put("--interval-ms", "1000");
        options.put("--linger-ms", "0");
        String imds;
        int rounds;
        long interval;
        long linger;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (!options.containsKey(args[i]) || i + 1 >= args.length) {
                    throw new IllegalArgumentException(options.containsKey(args[i]) ? args[i] + " needs a value"
                            : "unknown option " + args[i]);
                }
                options.put(args[i], args[i + 1]);
            }
            imds = options.get("--imds");
            if (!imds.startsWith("http://")) {
                throw new IllegalArgumentException("--imds must be an http:// URL: " + imds);
            }
            rounds = Integer.parseInt(options.get("--rounds"));
            interval = Long.parseLong(options.get("--interval-ms"));
            linger = Long.parseLong(options.get("--linger-ms"));
        } catch (IllegalArgumentException e) {
            System.err.println("demo-app: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        System.setProperty("com.amazonaws.sdk.ec2MetadataServiceEndpointOverride", imds);

        List<MetadataReader> readers = readers(imds);
        int ok = 0;
        int failed = 0;
        for (int round = 1; round <= rounds; round++) {
            for (MetadataReader reader : readers) {
                if (readAll(reader)) {
                    ok++;
                } else {
                    failed++;
                }
            }
            if (readWithAwsSdk()) {
                ok++;
            } else {
                failed++;
            }
            if (round < rounds) {
                Thread.sleep(interval);
            }
        }
        System.out.println("SUMMARY ok=" + ok + " failed=" + failed);
        System.out.flush();
        Thread.sleep(linger); // lets a scraper read the agent's metrics before the JVM goes
    }

    private static List<MetadataReader> readers(String imds) {
        List<MetadataReader> readers = new ArrayList<MetadataReader>();
        readers.add(new UrlConnectionReader(imds));
        readers.add(new ApacheHttpClientReader(imds));
        readers.add(new OkHttpReader(imds));
        MetadataReader jdk = jdkHttpClient(imds);
        if (jdk != null) {
            readers.add(jdk);
        }
        return readers;
    }

    /** The JDK HttpClient exists from Java 11 on; on Java 8 the service simply goes without it. */
    @SuppressWarnings("unchecked")
    private static MetadataReader jdkHttpClient(String imds) {
        final Function<String, String> get;
        try {
            get = (Function<String, String>) Class.forName("dev.imdsv2.demo.jdkclient.JdkHttpClientReader")
                    .getConstructor(String.class).newInstance(imds);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
        return new MetadataReader() {
            @Override
            public String client() {
                return "JDK HttpClient";
            }

            @Override
            public String get(String path) throws IOException {
                try {
                    return get.apply(path);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }
        };
    }

    private static boolean readAll(MetadataReader reader) {
        try {
            String instanceId = reader.get("/latest/meta-data/instance-id");
            String region = reader.get("/latest/meta-data/placement/region");
            String role = reader.get(ROLE_PATH).trim();
            String credentials = reader.get(ROLE_PATH + role);
            String identity = reader.get("/latest/dynamic/instance-identity/document");
            String accessKey = field(credentials, "AccessKeyId");
            System.out.println(pad(reader.client()) + " OK      instance-id=" + instanceId + " region=" + region
                    + " role=" + role + " access-key=" + accessKey + " identity-document=" + (identity.contains(instanceId) ? "ok" : "?"));
            return true;
        } catch (IOException e) {
            System.out.println(pad(reader.client()) + " FAILED  " + e.getMessage());
            log.debug("{} failed", reader.client(), e);
            return false;
        }
    }

    private static boolean readWithAwsSdk() {
        try {
            String instanceId = EC2MetadataUtils.getInstanceId();
            AWSCredentials credentials = new InstanceProfileCredentialsProvider(false).getCredentials();
            if (instanceId == null) {
                throw new IllegalStateException("no instance id");
            }
            System.out.println(pad("AWS SDK v1 1.11") + " OK      instance-id=" + instanceId + " access-key=" + credentials.getAWSAccessKeyId());
            return true;
        } catch (RuntimeException e) {
            System.out.println(pad("AWS SDK v1 1.11") + " FAILED  " + e.getClass().getSimpleName());
            return false;
        }
    }

    private static String field(String json, String name) {
        int at = json.indexOf("\"" + name + "\"");
        if (at < 0) {
            return "?";
        }
        int start = json.indexOf('"', json.indexOf(':', at) + 1) + 1;
        return json.substring(start, json.indexOf('"', start));
    }

    private static String pad(String client) {
        StringBuilder s = new StringBuilder(client);
        while (s.length() < 20) {
            s.append(' ');
        }
        return s.toString();
    }

}
