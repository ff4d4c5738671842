package io.stratus.controlplane.console;

import io.stratus.controlplane.web.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * What every console page has (who is signed in, for the navigation bar) and how a console page fails: an error page
 * with the API's own words and status, never the API's JSON problem or a stack trace.
 */
@ControllerAdvice(basePackageClasses = ConsoleModel.class)
class ConsoleModel {

    @ModelAttribute("operator")
    ConsoleOperator operator(@AuthenticationPrincipal ConsoleOperator operator) {
        return operator;
    }

    @ExceptionHandler(ApiException.class)
    String apiError(ApiException e, Model model, HttpServletResponse response) {
        response.setStatus(e.status().value());
        model.addAttribute("status", e.status().value());
        model.addAttribute("title", e.title());
        model.addAttribute("detail", e.getMessage());
        return "console/error";
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    String badParameter(MethodArgumentTypeMismatchException e, Model model, HttpServletResponse response) {
        response.setStatus(400);
        model.addAttribute("status", 400);
        model.addAttribute("title", "Bad request");
        model.addAttribute("detail", "'" + e.getName() + "' is not valid here");
        return "console/error";
    }
}
