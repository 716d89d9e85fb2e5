namespace EdgeTwin.Integration.Tests.Support;

using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

/// <summary>
/// Debian's chromium, headless, driven through chromium-driver (both installed by scripts/test.sh).
/// Waits are for what the page shows (WebDriverWait on the DOM), never fixed sleeps.
/// Screenshots go to TestResults/screenshots of the checkout (a test artefact).
/// </summary>
public sealed class Browser : IDisposable
{
    private readonly ChromeDriver _driver;

    public Browser()
    {
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000");
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        _driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public IWebDriver Driver => _driver;

    public static string ScreenshotDirectory
    {
        get
        {
            var dir = Path.Combine(Repository.Root, "TestResults", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public void Open(string url) => _driver.Navigate().GoToUrl(url);

    /// <summary>
    /// Signs in to the ingest's ward view at <paramref name="ingestUrl"/> as a person would: the page
    /// sends the browser to the sign-in page, the token is pasted and sent; waits until the browser is
    /// back on <paramref name="ingestUrl"/>'s pages (docs/ingest.md "Access").
    /// </summary>
    public void SignIn(string ingestUrl, string token)
    {
        Open(ingestUrl + "/");
        Until(d => d.FindElements(By.Id("token")).FirstOrDefault(), TimeSpan.FromSeconds(30), "the sign-in page").SendKeys(token);
        _driver.FindElement(By.Id("signin")).Click();
        Until(d => d.Url.Contains("/signin", StringComparison.Ordinal) ? null : d.Url, TimeSpan.FromSeconds(30), "signed in (away from the sign-in page)");
    }

    /// <summary>Waits until <paramref name="find"/> returns an element (or a non-null value); fails naming <paramref name="what"/>.</summary>
    public T Until<T>(Func<IWebDriver, T?> find, TimeSpan timeout, string what)
        where T : class
    {
        var wait = new WebDriverWait(_driver, timeout) { PollingInterval = TimeSpan.FromMilliseconds(100), Message = what };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            return wait.Until(d => find(d));
        }
        catch (WebDriverTimeoutException e)
        {
            Screenshot($"timeout-{DateTime.UtcNow:HHmmss}");
            throw new TimeoutException($"{what}: not within {timeout}. Page: {_driver.FindElement(By.TagName("body")).Text}\n{Diagnosis()}", e);
        }
    }

    /// <summary>
    /// For a wait that timed out: the page's address, what it asked the servers for and which answers came
    /// (resource timing: a request without a responseEnd never got its answer), and this test process's
    /// thread pool (Kestrel of the in-process hosts serves from it: a starved pool answers nobody).
    /// </summary>
    private string Diagnosis()
    {
        string requests;
        try
        {
            requests = Convert.ToString(_driver.ExecuteScript(
                "return performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))" +
                ".map(e => `${e.entryType} ${e.name} start=${Math.round(e.startTime)} end=${Math.round(e.responseEnd)} status=${e.responseStatus}`).join('\\n')"),
                System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }
        catch (WebDriverException e)
        {
            requests = $"(the page's requests could not be read: {e.Message})";
        }

        return $"URL {_driver.Url}; thread pool {ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} work items queued; " +
            $"load average {File.ReadAllText("/proc/loadavg").Trim()}\nThe page's requests:\n{requests}";
    }

    public string Screenshot(string name)
    {
        var path = Path.Combine(ScreenshotDirectory, $"{name}.png");
        ((ITakesScreenshot)_driver).GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>The whole page, not only the window: the window is made as tall as the page for the shot.</summary>
    public string FullPageScreenshot(string name)
    {
        var window = _driver.Manage().Window;
        var size = window.Size;
        var height = Convert.ToInt32(_driver.ExecuteScript("return document.documentElement.scrollHeight"), System.Globalization.CultureInfo.InvariantCulture);
        window.Size = new System.Drawing.Size(size.Width, Math.Max(size.Height, height + 150));
        try
        {
            return Screenshot(name);
        }
        finally
        {
            window.Size = size;
        }
    }

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
    }
}
