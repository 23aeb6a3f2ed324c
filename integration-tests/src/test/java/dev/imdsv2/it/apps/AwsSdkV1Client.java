package dev.imdsv2.it.apps;

import com.amazonaws.auth.AWSCredentials;
import com.amazonaws.auth.InstanceProfileCredentialsProvider;
import com.amazonaws.util.EC2MetadataUtils;

/**
 * A legacy application on the AWS SDK for Java v1 1.11.x, from before the SDK spoke IMDSv2: it reads
 * the instance id and the instance-profile credentials the v1 way. The test points the SDK at the
 * simulator with {@code -Dcom.amazonaws.sdk.ec2MetadataServiceEndpointOverride}. With the argument {@code counts}, it
 * then prints the agent's request counts (the SDK 1.12, which speaks IMDSv2 itself, runs it too).
 */
public final class AwsSdkV1Client {

    public static void main(String[] args) throws Exception {
        try {
            System.out.println("RESULT instance-id " + EC2MetadataUtils.getInstanceId());
        } catch (RuntimeException e) {
            System.out.println("RESULT instance-id ERROR " + e);
        }
        try {
            AWSCredentials credentials = new InstanceProfileCredentialsProvider(false).getCredentials();
            System.out.println("RESULT credentials " + credentials.getAWSAccessKeyId());
        } catch (RuntimeException e) {
            System.out.println("RESULT credentials ERROR " + e.getClass().getName());
        }
        if (args.length > 0 && args[0].equals("counts")) {
            AgentCounts.print();
        }
    }
}
