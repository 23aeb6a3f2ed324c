import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** The kind of code imdsv2-agent exists for: a tokenless (IMDSv1) read of instance metadata. */
public class LegacyV1Call {
    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "http://169.254.169.254/latest/meta-data/instance-id";
        try (InputStream in = new URL(url).openStream()) {
            System.out.println("instance-id: " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (Exception e) {
            System.out.println("failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
