package io.stratus.controlplane.web;

import io.stratus.controlplane.StratusSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over {@code stratus.max-request-bytes} with 413: at once when Content-Length says so, and
 * mid-stream for chunked bodies (the JSON reader then fails and the request changes nothing). Agents' usage reports
 * get {@link #USAGE_REPORT_BYTES}: up to 5000 records of about 400 bytes each.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestSizeLimitFilter extends OncePerRequestFilter {

    /** Room for a full usage report (5000 records); only node credentials get past authentication on that path. */
    static final long USAGE_REPORT_BYTES = 4L * 1024 * 1024;

    private final long limit;

    RequestSizeLimitFilter(StratusSettings settings) {
        this.limit = settings.maxRequestBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = isUsageReport(request) ? Math.max(this.limit, USAGE_REPORT_BYTES) : this.limit;
        if (request.getContentLengthLong() > limit) {
            Problems.write(response, HttpStatus.CONTENT_TOO_LARGE.value(), "body-too-large", "Request body too large",
                    "request bodies are limited to " + limit + " bytes");
            return;
        }
        chain.doFilter(new Limited(request, limit), response);
    }

    private static boolean isUsageReport(HttpServletRequest request) {
        String path = request.getRequestURI();
        return "POST".equals(request.getMethod()) && path.startsWith("/agent/v1/nodes/") && path.endsWith("/usage");
    }

    /** A chunked body ran past the limit mid-stream; answered 413 like one whose Content-Length says so. */
    static final class BodyTooLarge extends IOException {
        final long limit;

        BodyTooLarge(long limit) {
            super("request body exceeds " + limit + " bytes");
            this.limit = limit;
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0 && ++read > limit) {
                        throw new BodyTooLarge(limit);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = in.read(buf, off, len);
                    if (n > 0 && (read += n) > limit) {
                        throw new BodyTooLarge(limit);
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
