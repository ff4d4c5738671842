package io.stratus.helm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * One app's settings as its code declares them: the {@code @ConfigurationProperties} records under a package, and the
 * {@code ${STRATUS_...}} placeholders of its {@code application.yml} (settings read with {@code @Value}). Gives the
 * environment variable names they answer to, and binds an environment to each record, so that the record's own
 * checks run on it as they would at the app's start.
 */
final class AppSettings {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(STRATUS_[A-Z0-9_]+)");

    /** Record type by its prefix. */
    private final Map<String, Class<?>> records;
    private final Set<String> placeholders;

    private AppSettings(Map<String, Class<?>> records, Set<String> placeholders) {
        this.records = records;
        this.placeholders = placeholders;
    }

    static AppSettings of(String basePackage, String applicationYaml) {
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        Map<String, Class<?>> records = new TreeMap<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
            try {
                Class<?> type = Class.forName(candidate.getBeanClassName());
                records.put(type.getAnnotation(ConfigurationProperties.class).value(), type);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        Set<String> placeholders = new TreeSet<>();
        if (applicationYaml != null) {
            try (InputStream in = AppSettings.class.getClassLoader().getResourceAsStream(applicationYaml)) {
                Matcher m = PLACEHOLDER.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                while (m.find()) {
                    placeholders.add(m.group(1));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new AppSettings(records, placeholders);
    }

    Map<String, Class<?>> records() {
        return records;
    }

    Set<String> placeholders() {
        return placeholders;
    }

    /**
     * Every environment variable this app reads a setting from ({@code stratus.agent.cpu-per-cu}:
     * STRATUS_AGENT_CPU_PER_CU), a nested record's settings included ({@code stratus.agent.front-door.port}:
     * STRATUS_AGENT_FRONT_DOOR_PORT).
     */
    Set<String> variables() {
        Set<String> names = new TreeSet<>(placeholders);
        records.forEach((prefix, type) -> addVariables(names, prefix, type));
        return names;
    }

    private static void addVariables(Set<String> names, String prefix, Class<?> record) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.getType().isRecord()) {
                addVariables(names, prefix + "." + c.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                        .toLowerCase(Locale.ROOT), c.getType());
            } else {
                names.add(variable(prefix, c.getName()));
            }
        }
    }

    /** Binds every record from {@code environment}, as the app would at start; a record's refusal is thrown. */
    Map<String, Object> bind(Map<String, Object> environment) {
        var source = new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                environment);
        Binder binder = new Binder(ConfigurationPropertySources.from(source));
        Map<String, Object> bound = new TreeMap<>();
        records.forEach((prefix, type) -> bound.put(prefix, binder.bindOrCreate(prefix, type)));
        return bound;
    }

    static String variable(String prefix, String camelCaseComponent) {
        String kebab = camelCaseComponent.replaceAll("([a-z0-9])([A-Z])", "$1_$2");
        return (prefix + "." + kebab).replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
