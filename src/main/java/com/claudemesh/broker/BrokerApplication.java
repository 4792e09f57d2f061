package com.claudemesh.broker;

import com.claudemesh.broker.keys.KeyBackfill;
import com.claudemesh.broker.keys.KeyReencryption;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BrokerApplication {

    /** A one-shot maintenance command: runs against the database without the web server, prints a count, exits. */
    private record Command(String description, ToIntFunction<ConfigurableApplicationContext> action) {}

    private static final Map<String, Command> COMMANDS = commands();

    private static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        commands.put(
                "--backfill-keys",
                new Command(
                        "fill in missing mesh owner keypairs and root keys (PROTOCOL A.11)",
                        context -> context.getBean(KeyBackfill.class).run()));
        commands.put(
                "--reencrypt-keys",
                new Command(
                        "encrypt plaintext mesh owner secret keys with BROKER_KEY_ENCRYPTION_KEY",
                        context -> context.getBean(KeyReencryption.class).run()));
        return commands;
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            printHelp(System.out);
            return;
        }
        String command =
                Arrays.stream(args).filter(COMMANDS::containsKey).findFirst().orElse(null);
        if (command != null) {
            System.exit(runCommand(command, args, System.out, System.err));
        }
        try {
            SpringApplication.run(BrokerApplication.class, args);
        } catch (RuntimeException startupFailure) {
            // Already reported (one line for configuration mistakes, Spring's analysis otherwise).
            System.exit(1);
        }
    }

    static void printHelp(PrintStream out) {
        String version = BrokerApplication.class.getPackage().getImplementationVersion();
        out.println("claudemesh broker" + (version == null ? "" : " " + version));
        out.println();
        out.println("Usage: java -jar claudemesh-broker.jar [command]");
        out.println();
        out.println("Without a command the broker runs: HTTP and WebSocket (/ws) on BROKER_PORT (default 7900),");
        out.println("its queue in the PostgreSQL database of DATABASE_URL (postgres://user:password@host:5432/db).");
        out.println();
        out.println("One-shot commands (against DATABASE_URL, without the web server; print a count, exit 0):");
        COMMANDS.forEach((name, command) -> out.printf("  %-18s %s%n", name, command.description()));
        out.printf("  %-18s %s%n", "--help, -h", "this text");
        out.println();
        out.println("Configuration: environment variables (README.md, section Configuration), among them");
        out.println("DATABASE_URL, BROKER_PUBLIC_URL, BROKER_ADMIN_TOKEN, BROKER_KEY_ENCRYPTION_KEY and");
        out.println("BROKER_LOG_LEVEL. Deployment: docs/DEPLOY.md.");
    }

    /** Runs one command; returns the process exit code (0 done, 1 failed, with one line on {@code err}). */
    static int runCommand(String command, String[] args, PrintStream out, PrintStream err) {
        String[] springArgs =
                Arrays.stream(args).filter(arg -> !arg.equals(command)).toArray(String[]::new);
        ConfigurableApplicationContext context;
        try {
            context = new SpringApplicationBuilder(BrokerApplication.class)
                    .web(WebApplicationType.NONE)
                    .run(springArgs);
        } catch (RuntimeException startupFailure) {
            return 1;
        }
        try (context) {
            int updated = COMMANDS.get(command).action().applyAsInt(context);
            out.println(command.substring(2) + ": updated " + updated + " mesh row(s)");
            return 0;
        } catch (RuntimeException e) {
            err.println("claudemesh-broker: " + command.substring(2) + " failed: " + e.getMessage());
            return 1;
        }
    }
}
