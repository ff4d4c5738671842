package io.stratus.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver: both named by path, so Selenium Manager never
 * runs and nothing is downloaded. {@code .ci/run} installs the two packages.
 */
final class ConsoleBrowser {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private ConsoleBrowser() {
    }

    static ChromeDriver start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the console's browser tests need Debian's chromium and chromium-driver"
                    + " (apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // A laptop's screen: the layout is meant to work there, and the screenshots show it.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,900", "--hide-scrollbars", "--lang=en-US", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /**
     * Saves what the browser shows to {@code target/console-screenshots/<name>.png}, and to the directory named by
     * {@code -Dstratus.screenshots=} (the README's images: {@code -Dstratus.screenshots=../docs/images}) when given.
     */
    static void screenshot(ChromeDriver driver, String name) {
        // The whole page (up to 2000 px high), then back to the laptop's window.
        long height = ((Number) driver.executeScript("return document.documentElement.scrollHeight")).longValue();
        driver.manage().window().setSize(new Dimension(1440, (int) Math.max(900, Math.min(2000, height + 20))));
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        driver.manage().window().setSize(new Dimension(1440, 900));
        try {
            Path target = Path.of("target", "console-screenshots");
            Files.createDirectories(target);
            Files.write(target.resolve(name + ".png"), png);
            String docs = System.getProperty("stratus.screenshots", "");
            if (!docs.isBlank()) {
                Path dir = Path.of(docs);
                Files.createDirectories(dir);
                Files.write(dir.resolve("console-" + name + ".png"), png);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
