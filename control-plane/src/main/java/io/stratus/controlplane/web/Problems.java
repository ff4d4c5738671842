package io.stratus.controlplane.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a problem response from a servlet filter or Tomcat's error valve, where no controller advice and no
 * message converter reaches: a {@link ProblemDetail} as the API's other problems are, serialized by Jackson (so any
 * character in a detail, a control character in a quoted field name among them, stays valid JSON).
 */
public final class Problems {

    private static final JsonMapper JSON = JsonMapper.builder()
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private Problems() {
    }

    public static void write(HttpServletResponse response, int status, String type, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json(status, type, title, detail));
    }

    static String json(int status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
        problem.setType(URI.create("https://stratus.dev/problems/" + type));
        problem.setTitle(title);
        return JSON.writeValueAsString(problem);
    }
}
