package dev.imdsv2.demo;

import java.io.IOException;

/** One way of reading instance metadata: a client library, used the IMDSv1 way (no token). */
interface MetadataReader {
    /** The client's name in the demo's output. */
    String client();

    /** GETs {@code base + path} and returns the body; throws with the HTTP status on anything but 200. */
    String get(String path) throws IOException;
}
