package io.stratus.controlplane.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the servlet container sends to its error page (a TRACE it refuses, a 408 when a client is too slow with its
 * request, an error raised outside any controller) answers as every other error does: an RFC 9457 problem, and the
 * headers {@link NoStoreHeaders} sets, instead of Spring Boot's default JSON. No message of the error is passed on: it may
 * name internals.
 */
@Hidden // the container's error page, not an API operation
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : 500;
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        Problems.write(response, status, ServerLevelProblems.type(status), title, title);
    }
}
