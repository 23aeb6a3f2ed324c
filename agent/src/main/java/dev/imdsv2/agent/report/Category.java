package dev.imdsv2.agent.report;

/**
 * What an IMDS path reads, for the bounded {@code category} tag: never the path itself, which would
 * make a series per path.
 */
public enum Category {
    TOKEN("token"),
    CREDENTIALS("credentials"),
    IDENTITY("identity"),
    PLACEMENT("placement"),
    USER_DATA("user-data"),
    OTHER_META_DATA("other-meta-data"),
    OTHER("other");

    private final String tag;

    Category(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    /**
     * The {@code imdsv2.upgrade.paths} prefixes that allow this category's reads (the {@code /latest/} forms),
     * for the report's suggested policy; {@code *} where no narrower prefix covers it, none for the token PUT.
     */
    public String[] allowingPathPrefixes() {
        switch (this) {
            case CREDENTIALS:
                return new String[] {"/latest/meta-data/iam/", "/latest/meta-data/identity-credentials/"};
            case IDENTITY:
                return new String[] {"/latest/dynamic/instance-identity/"};
            case PLACEMENT:
                return new String[] {"/latest/meta-data/placement/"};
            case USER_DATA:
                return new String[] {"/latest/user-data"};
            case OTHER_META_DATA:
                return new String[] {"/latest/meta-data/"};
            case OTHER:
                return new String[] {"*"};
            default:
                return new String[0];
        }
    }

    /** Classifies {@code /latest/...} and versioned {@code /2021-03-23/...} paths alike. */
    public static Category of(String path) {
        if (path == null || !path.startsWith("/")) {
            return OTHER;
        }
        int secondSlash = path.indexOf('/', 1);
        if (secondSlash < 0) {
            return OTHER;
        }
        String rest = path.substring(secondSlash + 1);
        if (rest.startsWith("api/token")) {
            return TOKEN;
        }
        if (rest.startsWith("meta-data/iam/security-credentials") || rest.startsWith("meta-data/identity-credentials")) {
            return CREDENTIALS;
        }
        if (rest.startsWith("dynamic/instance-identity")) {
            return IDENTITY;
        }
        if (rest.startsWith("meta-data/placement")) {
            return PLACEMENT;
        }
        if (rest.startsWith("user-data")) {
            return USER_DATA;
        }
        if (rest.startsWith("meta-data")) {
            return OTHER_META_DATA;
        }
        return OTHER;
    }
}
