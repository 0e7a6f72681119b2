/// The login form a browser gets (with 401) when the server has an API token and the request
/// carried none: one password field, posted to `/login`, which sets the HttpOnly cookie.
/// Styled inline: the console's style sheet is behind the token too.
enum LoginPage {
    /// No script at all; the inline style only; the form posts here.
    static let headerFields: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// `message` is one of the server's own sentences, never text from a request.
    static func html(message: String?) -> String {
        let notice = message.map { "<p class=\"error\">\($0)</p>" } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Recorder: log in</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; background: #f6f7f9; color: #1d2430; display: flex; justify-content: center; padding-top: 12vh; }
        form { background: #fff; border: 1px solid #dde2e8; border-radius: 6px; padding: 20px 24px; min-width: 320px; }
        h1 { font-size: 18px; margin: 0 0 12px; }
        input { font: inherit; width: 100%; padding: 5px 8px; margin: 6px 0 12px; border: 1px solid #b9c2ce; border-radius: 4px; }
        button { font: inherit; padding: 4px 14px; }
        .error { color: #c62a2a; }
        </style>
        </head>
        <body>
        <form method="post" action="\(HTTPAccess.loginPath)">
        <h1>Recorder</h1>
        \(notice)
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
        <button type="submit">Log in</button>
        </form>
        </body>
        </html>
        """
    }
}
