/// The console's three files as HTTP resources, and the header fields every console page
/// carries: scripts and styles from this server only (a stream name a publisher chose can
/// never run as script), no framing (record and stop cannot be clicked through another
/// page), no referrer.
public enum ConsoleResources {
    static let pageHeaders: [(String, String)] = [
        ("Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; media-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// `/` (the page), `/console.js`, `/console.css`.
    public static var resources: HTTPServer.Resources {
        [
            "/": { HTTPServer.Resource(contentType: "text/html; charset=utf-8", body: ConsolePage.html, headerFields: pageHeaders) },
            "/console.js": { HTTPServer.Resource(contentType: "text/javascript; charset=utf-8", body: ConsoleScript.source, headerFields: pageHeaders) },
            "/console.css": { HTTPServer.Resource(contentType: "text/css; charset=utf-8", body: ConsoleStyle.source, headerFields: pageHeaders) },
        ]
    }
}
