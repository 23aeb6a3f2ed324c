package dev.imdsv2.agent.token;

/** How one token PUT ended: the {@code outcome} tag of {@code imdsv2.token.fetch}. */
public enum FetchOutcome {
    SUCCESS("success"),
    TIMEOUT("timeout"),
    /** Timed out, at an endpoint known to answer GETs meanwhile: the container hop-limit trap. */
    HOP_LIMIT("hop_limit"),
    REFUSED("refused"),
    HTTP_403("http_403"),
    HTTP_404("http_404"),
    HTTP_405("http_405"),
    HTTP_5XX("http_5xx"),
    ERROR("error");

    private final String tag;

    FetchOutcome(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    static FetchOutcome ofStatus(int status) {
        if (status == 403) {
            return HTTP_403;
        }
        if (status == 404) {
            return HTTP_404;
        }
        if (status == 405) {
            return HTTP_405;
        }
        return status >= 500 && status <= 599 ? HTTP_5XX : ERROR;
    }
}
