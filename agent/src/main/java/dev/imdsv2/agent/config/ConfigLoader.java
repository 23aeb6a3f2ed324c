package dev.imdsv2.agent.config;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Reads every key of README.md's "Configuration" from, highest precedence first: the agent argument string, system
 * properties, environment variables, the file named by {@code imdsv2.config.file}, the default.
 *
 * <p>Loading never fails: a bad value or an unknown key becomes one line in {@link AgentConfig#problems()}
 * and the default is used. It is a pure function of its inputs, so tests can feed it anything.
 */
public final class ConfigLoader {
    public static final String PREFIX = "imdsv2.";
    /** The configuration file is a handful of keys: anything larger is a mistake. */
    static final int MAX_FILE_BYTES = 64 * 1024;
    /** The most of a bad value a WARN line shows. */
    private static final int MAX_SHOWN = 200;

    public static final String MODE = "mode";
    static final String ENDPOINTS = "endpoints";
    static final String TOKEN_TTL = "token.ttl";
    static final String TOKEN_TIMEOUT = "token.timeout";
    static final String TOKEN_RETRY_AFTER = "token.retry-after";
    static final String UPGRADE_CALLERS = "upgrade.callers";
    static final String UPGRADE_PATHS = "upgrade.paths";
    static final String PROMETHEUS_PORT = "metrics.prometheus.port";
    static final String PROMETHEUS_HOST = "metrics.prometheus.host";
    static final String APPLICATION_REGISTRY = "metrics.application-registry";
    static final String TEXTFILE_DIR = "metrics.textfile.dir";
    static final String TEXTFILE_INTERVAL = "metrics.textfile.interval";
    static final String REPORT_FILE = "report.file";
    static final String READY_AFTER = "ready.after";
    static final String LOG_LEVEL = "log.level";
    static final String LOG_FORMAT = "log.format";
    static final String CONFIG_FILE = "config.file";

    public static final String DEFAULT_ENDPOINTS = "http://169.254.169.254,http://[fd00:ec2::254]";
    static final int MAX_TTL = 21600;

    private static final List<String> PLAIN_KEYS = Arrays.asList(MODE, ENDPOINTS, TOKEN_TTL, TOKEN_TIMEOUT,
            TOKEN_RETRY_AFTER, UPGRADE_CALLERS, UPGRADE_PATHS, PROMETHEUS_PORT, PROMETHEUS_HOST,
            APPLICATION_REGISTRY, TEXTFILE_DIR, TEXTFILE_INTERVAL, REPORT_FILE, READY_AFTER, LOG_LEVEL, LOG_FORMAT, CONFIG_FILE);

    private final Map<String, String> arguments;
    private final Properties systemProperties;
    private final Map<String, String> environment;
    private final Map<String, String> file = new LinkedHashMap<String, String>();
    private final List<String> problems = new ArrayList<String>();

    private ConfigLoader(Map<String, String> arguments, Properties systemProperties, Map<String, String> environment) {
        this.arguments = arguments;
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    /** The configuration of this JVM: its system properties and environment, under the given agent arguments. */
    public static AgentConfig load(String agentArguments) {
        return load(agentArguments, System.getProperties(), System.getenv());
    }

    public static AgentConfig load(String agentArguments, Properties systemProperties, Map<String, String> environment) {
        List<String> argumentProblems = new ArrayList<String>();
        Map<String, String> arguments = parseArguments(agentArguments, argumentProblems);
        ConfigLoader loader = new ConfigLoader(arguments, systemProperties, environment);
        loader.problems.addAll(argumentProblems);
        return loader.build();
    }

    /** Layers new agent arguments over the ones a running agent was started with (re-attach). */
    public static String mergeArguments(Map<String, String> previous, String newArguments) {
        Map<String, String> merged = new LinkedHashMap<String, String>(previous);
        merged.putAll(parseArguments(newArguments, new ArrayList<String>()));
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> entry : merged.entrySet()) {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(entry.getKey()).append('=').append(entry.getValue());
        }
        return text.toString();
    }

    /** {@code key=value,key=value}; keys may carry the {@code imdsv2.} prefix or not. */
    static Map<String, String> parseArguments(String text, List<String> problems) {
        Map<String, String> result = new LinkedHashMap<String, String>();
        if (text == null || text.trim().isEmpty()) {
            return result;
        }
        for (String item : text.split(",")) {
            if (item.trim().isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                problems.add("agent argument item '" + item.trim() + "' is not key=value; ignored");
                continue;
            }
            String key = item.substring(0, eq).trim();
            if (key.startsWith(PREFIX)) {
                key = key.substring(PREFIX.length());
            }
            result.put(key, item.substring(eq + 1).trim());
        }
        return result;
    }

    private AgentConfig build() {
        reportUnknownKeys();
        loadFile();

        Mode mode = value(MODE, "upgrade", Parser.MODE);
        List<Endpoint> endpoints = value(ENDPOINTS, DEFAULT_ENDPOINTS, Parser.ENDPOINTS);
        int ttl = value(TOKEN_TTL, "21600", intBetween(1, MAX_TTL));
        int timeout = value(TOKEN_TIMEOUT, "1000", intBetween(1, 60000));
        int retryAfter = value(TOKEN_RETRY_AFTER, "30", intBetween(0, 86400));
        PrefixList callers = value(UPGRADE_CALLERS, "*", Parser.PREFIX_LIST);
        PrefixList paths = value(UPGRADE_PATHS, "*", Parser.PREFIX_LIST);
        Map<String, Boolean> instrumentation = new LinkedHashMap<String, Boolean>();
        for (String name : AgentConfig.INSTRUMENTATIONS) {
            instrumentation.put(name, value(instrumentationKey(name), "true", Parser.BOOL));
        }
        Integer prometheusPort = value(PROMETHEUS_PORT, null, intBetween(0, 65535));
        String prometheusHost = value(PROMETHEUS_HOST, "127.0.0.1", Parser.NON_EMPTY);
        boolean applicationRegistry = value(APPLICATION_REGISTRY, "true", Parser.BOOL);
        String textfileDir = value(TEXTFILE_DIR, null, Parser.NON_EMPTY);
        int textfileInterval = value(TEXTFILE_INTERVAL, "15", intBetween(1, 3600));
        String reportFile = value(REPORT_FILE, null, Parser.NON_EMPTY);
        int readyAfter = value(READY_AFTER, "10m", seconds(7 * 86400));
        String logLevel = value(LOG_LEVEL, "info", Parser.LOG_LEVEL);
        String logFormat = value(LOG_FORMAT, "text", Parser.LOG_FORMAT);
        return new AgentConfig(mode, endpoints, ttl, timeout, retryAfter, callers, paths, instrumentation,
                prometheusPort, prometheusHost, applicationRegistry, textfileDir, textfileInterval, reportFile, readyAfter, logLevel,
                logFormat, arguments, problems);
    }

    private static String instrumentationKey(String name) {
        return "instrumentation." + name + ".enabled";
    }

    private static Set<String> knownKeys() {
        Set<String> keys = new LinkedHashSet<String>(PLAIN_KEYS);
        for (String name : AgentConfig.INSTRUMENTATIONS) {
            keys.add(instrumentationKey(name));
        }
        return keys;
    }

    static String environmentName(String key) {
        return (PREFIX + key).toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private void reportUnknownKeys() {
        Set<String> known = knownKeys();
        for (String key : arguments.keySet()) {
            if (!known.contains(key)) {
                problems.add("unknown key '" + key + "' in the agent argument; ignored");
            }
        }
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith(PREFIX) && !known.contains(name.substring(PREFIX.length()))) {
                problems.add("unknown system property '" + name + "'; ignored");
            }
        }
        Set<String> knownEnvironment = new LinkedHashSet<String>();
        for (String key : known) {
            knownEnvironment.add(environmentName(key));
        }
        for (String name : environment.keySet()) {
            if (name.startsWith("IMDSV2_") && !knownEnvironment.contains(name)) {
                problems.add("unknown environment variable '" + name + "'; ignored");
            }
        }
    }

    /**
     * The file is read only when it is a regular file of at most {@link #MAX_FILE_BYTES}: a FIFO, a device or a
     * directory named by mistake (or by an attacker who can set the property) must not hang or exhaust the JVM at
     * start. Its text must be text: a binary file is refused whole, and nothing of its bytes is echoed.
     */
    private void loadFile() {
        String raw = rawWithSource(CONFIG_FILE, false)[0];
        if (raw == null || raw.trim().isEmpty()) {
            return;
        }
        String path = raw.trim();
        String shown = "'" + printable(path) + "'";
        File f = new File(path);
        if (!f.isFile()) {
            problems.add("cannot read the configuration file " + shown + (f.exists() ? ": not a regular file" : ": it does not exist") + "; ignored");
            return;
        }
        byte[] bytes;
        try {
            bytes = f.length() > MAX_FILE_BYTES ? null : readAtMost(f, MAX_FILE_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            problems.add("cannot read the configuration file " + shown + " (" + printable(String.valueOf(e.getMessage())) + "); ignored");
            return;
        }
        if (bytes == null || bytes.length > MAX_FILE_BYTES) {
            problems.add("cannot read the configuration file " + shown + ": larger than " + MAX_FILE_BYTES / 1024 + " KiB; ignored");
            return;
        }
        for (byte b : bytes) {
            int c = b & 0xff; // ISO-8859-1 letters above 0x7f are text
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
                problems.add("cannot read the configuration file " + shown + ": not a text properties file; ignored");
                return;
            }
        }
        Properties properties = new Properties();
        try {
            // ISO-8859-1, as Properties.load(InputStream) reads it.
            properties.load(new StringReader(new String(bytes, "ISO-8859-1")));
        } catch (IOException | RuntimeException e) {
            problems.add("cannot read the configuration file " + shown + " (" + printable(String.valueOf(e.getMessage())) + "); ignored");
            return;
        }
        Set<String> known = knownKeys();
        for (String name : properties.stringPropertyNames()) {
            String key = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
            if (known.contains(key)) {
                file.put(key, properties.getProperty(name).trim());
            } else {
                problems.add("unknown key '" + printable(name) + "' in the configuration file " + shown + "; ignored");
            }
        }
    }

    private static byte[] readAtMost(File f, int limit) throws IOException {
        InputStream in = new FileInputStream(f);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while (out.size() < limit && (n = in.read(buffer, 0, Math.min(buffer.length, limit - out.size()))) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            in.close();
        }
    }

    /**
     * A value as it may appear in a WARN line: printable ASCII only (anything else as {@code ?}) and at most
     * {@link #MAX_SHOWN} characters, so that a bad value never writes control characters or a flood into the log.
     */
    static String printable(String value) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < value.length() && shown.length() < MAX_SHOWN; i++) {
            char c = value.charAt(i);
            shown.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return value.length() > MAX_SHOWN ? shown + "..." : shown.toString();
    }

    /** {value, where it came from}; value null when no source sets the key. */
    private String[] rawWithSource(String key, boolean includeFile) {
        if (arguments.containsKey(key)) {
            return new String[] {arguments.get(key), "agent argument"};
        }
        String property = systemProperties.getProperty(PREFIX + key);
        if (property != null) {
            return new String[] {property, "system property"};
        }
        String env = environment.get(environmentName(key));
        if (env != null) {
            return new String[] {env, "environment variable " + environmentName(key)};
        }
        if (includeFile && file.containsKey(key)) {
            return new String[] {file.get(key), "configuration file"};
        }
        return new String[] {null, null};
    }

    private <T> T value(String key, String defaultValue, Parser<T> parser) {
        String[] raw = rawWithSource(key, true);
        if (raw[0] != null) {
            try {
                return parser.parse(raw[0]);
            } catch (RuntimeException e) {
                problems.add(PREFIX + key + "=" + printable(raw[0]) + " (" + raw[1] + ") is not valid: " + printable(String.valueOf(e.getMessage()))
                        + "; using the default " + (defaultValue == null ? "(unset)" : defaultValue));
            }
        }
        return defaultValue == null ? null : parser.parse(defaultValue);
    }

    static List<String> splitList(String value) {
        List<String> items = new ArrayList<String>();
        for (String item : value.split("[,;]")) {
            if (!item.trim().isEmpty()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    /**
     * How a key's text becomes its value; throws {@link IllegalArgumentException} saying what was expected.
     *
     * <p>One class for every kind of value rather than a class per kind: each class the agent loads costs the JVM a
     * search of the whole class path first (on Java 8 that allocates the class's name anew for every jar on it),
     * and this runs in every JVM's {@code premain}. Not lambdas either, as nowhere in the agent: the first lambda a
     * JVM links costs tens of milliseconds of start-up, and the agent runs before the application's first one.
     */
    private static final class Parser<T> {
        static final Parser<Mode> MODE = new Parser<Mode>(Kind.MODE, 0, 0);
        static final Parser<List<Endpoint>> ENDPOINTS = new Parser<List<Endpoint>>(Kind.ENDPOINTS, 0, 0);
        static final Parser<Boolean> BOOL = new Parser<Boolean>(Kind.BOOL, 0, 0);
        static final Parser<String> NON_EMPTY = new Parser<String>(Kind.NON_EMPTY, 0, 0);
        static final Parser<PrefixList> PREFIX_LIST = new Parser<PrefixList>(Kind.PREFIX_LIST, 0, 0);
        static final Parser<String> LOG_LEVEL = new Parser<String>(Kind.LOG_LEVEL, 0, 0);
        static final Parser<String> LOG_FORMAT = new Parser<String>(Kind.LOG_FORMAT, 0, 0);

        /** Constants, not an enum: a {@code switch} on an enum costs a class of its own too. */
        private static final class Kind {
            static final int MODE = 0;
            static final int ENDPOINTS = 1;
            static final int INT = 2;
            static final int SECONDS = 3;
            static final int BOOL = 4;
            static final int NON_EMPTY = 5;
            static final int PREFIX_LIST = 6;
            static final int LOG_LEVEL = 7;
            static final int LOG_FORMAT = 8;
        }

        private final int kind;
        /** The bounds of {@link Kind#INT}; {@link Kind#SECONDS} has only a {@code max}. */
        private final int min;
        private final int max;

        Parser(int kind, int min, int max) {
            this.kind = kind;
            this.min = min;
            this.max = max;
        }

        @SuppressWarnings("unchecked") // each constant and factory method gives the type its kind parses to
        T parse(String v) {
            return (T) parsed(v);
        }

        private Object parsed(String v) {
            switch (kind) {
                case Kind.MODE:
                    return Mode.parse(v);
                case Kind.ENDPOINTS:
                    return endpoints(v);
                case Kind.INT:
                    return wholeNumber(v);
                case Kind.SECONDS:
                    return duration(v);
                case Kind.BOOL:
                    String b = v.trim().toLowerCase(Locale.ROOT);
                    if ("true".equals(b) || "false".equals(b)) {
                        return Boolean.valueOf(b);
                    }
                    throw new IllegalArgumentException("expected true or false");
                case Kind.NON_EMPTY:
                    if (v.trim().isEmpty()) {
                        throw new IllegalArgumentException("must not be empty");
                    }
                    return v.trim();
                case Kind.PREFIX_LIST:
                    return PrefixList.of(splitList(v));
                case Kind.LOG_LEVEL:
                    String level = v.trim().toLowerCase(Locale.ROOT);
                    if (!Arrays.asList("error", "warn", "info", "debug").contains(level)) {
                        throw new IllegalArgumentException("expected one of error, warn, info, debug");
                    }
                    return level;
                case Kind.LOG_FORMAT:
                    String format = v.trim().toLowerCase(Locale.ROOT);
                    if (!format.equals("text") && !format.equals("json")) {
                        throw new IllegalArgumentException("expected text or json");
                    }
                    return format;
                default:
                    throw new IllegalStateException("unknown kind of value " + kind);
            }
        }

        private static List<Endpoint> endpoints(String v) {
            List<Endpoint> list = new ArrayList<Endpoint>();
            for (String item : splitList(v)) {
                list.add(Endpoint.parse(item));
            }
            if (list.isEmpty()) {
                throw new IllegalArgumentException("expected at least one base URL");
            }
            return list;
        }

        private Integer wholeNumber(String v) {
            int parsed;
            try {
                parsed = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max);
            }
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("must be from " + min + " to " + max);
            }
            return parsed;
        }

        /** Seconds, or a number with {@code s}, {@code m} or {@code h}: {@code 600}, {@code 10m}. */
        private Integer duration(String v) {
            String text = v.trim().toLowerCase(Locale.ROOT);
            int unit = 1;
            if (text.endsWith("s") || text.endsWith("m") || text.endsWith("h")) {
                char suffix = text.charAt(text.length() - 1);
                unit = suffix == 'h' ? 3600 : suffix == 'm' ? 60 : 1;
                text = text.substring(0, text.length() - 1).trim();
            }
            long parsed;
            try {
                parsed = Long.parseLong(text) * unit;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a duration such as 600, 90s, 10m or 1h");
            }
            if (parsed < 0 || parsed > max) {
                throw new IllegalArgumentException("must be from 0 to " + max + " seconds");
            }
            return (int) parsed;
        }
    }

    private static Parser<Integer> intBetween(int min, int max) {
        return new Parser<Integer>(Parser.Kind.INT, min, max);
    }

    private static Parser<Integer> seconds(int max) {
        return new Parser<Integer>(Parser.Kind.SECONDS, 0, max);
    }
}
