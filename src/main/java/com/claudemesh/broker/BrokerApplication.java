package com.claudemesh.broker;

import com.claudemesh.broker.mesh.KeyBackfill;
import com.claudemesh.broker.mesh.KeyReencryption;
import java.io.PrintStream;
import java.util.Arrays;
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

    /** One-shot maintenance commands: run against the database without the web server, print a count, exit. */
    private static final Map<String, ToIntFunction<ConfigurableApplicationContext>> COMMANDS = Map.of(
            "--backfill-keys", context -> context.getBean(KeyBackfill.class).run(),
            "--reencrypt-keys",
                    context -> context.getBean(KeyReencryption.class).run());

    public static void main(String[] args) {
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
            int updated = COMMANDS.get(command).applyAsInt(context);
            out.println(command.substring(2) + ": updated " + updated + " mesh row(s)");
            return 0;
        } catch (RuntimeException e) {
            err.println("claudemesh-broker: " + command.substring(2) + " failed: " + e.getMessage());
            return 1;
        }
    }
}
