package io.stratus.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart as {@code helm template} renders it, by Helm's own library, parsed into its Kubernetes objects, with the
 * lookups the tests need: an object by kind and name, a container's environment with every {@code secretKeyRef}
 * resolved against the Secrets the chart itself renders.
 */
final class RenderedChart {

    static final Path CHART = Path.of("stratus");
    static final String RELEASE = "prod";
    static final String NAMESPACE = "databases";
    /** Helm's library assumes Kubernetes 1.20 unless told; the chart asks for 1.25 or later. */
    static final String KUBE_VERSION = "1.31.0";
    /** What the downward API would give on a node; the chart must pass these through, not invent them. */
    static final Map<String, String> FIELDS = Map.of("spec.nodeName", "db-host-1", "status.hostIP", "10.0.0.7");

    private final List<Map<String, Object>> objects;

    private RenderedChart(List<Map<String, Object>> objects) {
        this.objects = objects;
    }

    /** Renders with the given {@code --set} values on top of the chart's defaults. */
    static RenderedChart render(Map<String, Object> values) {
        return render(values, NAMESPACE);
    }

    static RenderedChart render(Map<String, Object> values, String namespace) {
        return render(values, namespace, RELEASE);
    }

    static RenderedChart render(Map<String, Object> values, String namespace, String release) {
        TemplateCommand template = new Helm(CHART).template().withName(release).withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return parse(template.call());
    }

    /** The smallest values a real install needs: where the metadata database is. */
    static Map<String, Object> minimal() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("metadataDatabase.url", "jdbc:postgresql://metadata.example:5432/stratus");
        values.put("metadataDatabase.password", "s3cret-metadata");
        return values;
    }

    static RenderedChart parse(String manifest) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml(new LoaderOptions()).loadAll(manifest)) {
            if (doc instanceof Map<?, ?> map) {
                objects.add(cast(map));
            }
        }
        return new RenderedChart(objects);
    }

    List<Map<String, Object>> objects() {
        return objects;
    }

    Map<String, Object> get(String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(str(o, "metadata", "name")))
                .findFirst().orElseThrow(() -> new NoSuchElementException(kind + " " + name + " not rendered"));
    }

    List<Map<String, Object>> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    /** The pod spec of a Deployment or DaemonSet. */
    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(workload, "spec", "template", "spec");
    }

    static Map<String, Object> container(Map<String, Object> workload, String name) {
        return list(podSpec(workload), "containers").stream().map(RenderedChart::cast)
                .filter(c -> name.equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new NoSuchElementException("container " + name));
    }

    /**
     * A container's environment as the process would see it: literal values, Secret keys read from the Secrets this
     * rendering holds (a reference to a Secret it does not hold fails), downward-API fields from {@link #FIELDS}.
     */
    Map<String, Object> environment(Map<String, Object> container) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Object o : list(container, "env")) {
            Map<String, Object> e = cast(o);
            String name = (String) e.get("name");
            if (e.containsKey("value")) {
                env.put(name, String.valueOf(e.get("value")));
            } else if (e.get("valueFrom") instanceof Map<?, ?> from && from.get("secretKeyRef") instanceof Map<?, ?> ref) {
                env.put(name, secretValue((String) ref.get("name"), (String) ref.get("key")));
            } else if (e.get("valueFrom") instanceof Map<?, ?> from && from.get("fieldRef") instanceof Map<?, ?> ref) {
                String field = (String) ref.get("fieldPath");
                env.put(name, FIELDS.getOrDefault(field, "<" + field + ">"));
            } else {
                throw new IllegalStateException("env " + name + " has neither a value nor a reference the test knows: " + e);
            }
        }
        return env;
    }

    String secretValue(String secret, String key) {
        Map<String, Object> data = map(get("Secret", secret), "data");
        Object encoded = data.get(key);
        if (encoded == null) {
            throw new NoSuchElementException("Secret " + secret + " has no key " + key);
        }
        return new String(Base64.getDecoder().decode((String) encoded), StandardCharsets.UTF_8);
    }

    static String str(Map<String, Object> root, String... path) {
        Object value = walk(root, path);
        return value == null ? null : String.valueOf(value);
    }

    static Map<String, Object> map(Map<String, Object> root, String... path) {
        return cast((Map<?, ?>) walk(root, path));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> root, String... path) {
        Object value = walk(root, path);
        return value == null ? List.of() : (List<Object>) value;
    }

    private static Object walk(Map<String, Object> root, String... path) {
        Object at = root;
        for (String step : path) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(step);
        }
        return at;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }
}
