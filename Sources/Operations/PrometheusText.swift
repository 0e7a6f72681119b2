/// Renders metric families in the Prometheus text exposition format, version 0.0.4
/// (`Content-Type: text/plain; version=0.0.4; charset=utf-8`): per family a `# HELP` and a
/// `# TYPE` line, then its samples, one per line, the text ending with a line feed.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name + sample.suffix
                if !sample.labels.isEmpty {
                    out += "{" + sample.labels.map { "\($0.name)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
                }
                out += " " + format(sample.value) + "\n"
            }
        }
        return out
    }

    /// Integers as integers (up to 2^53, where a Double still counts exactly), the rest as Go's
    /// ParseFloat reads them; infinities as `+Inf`/`-Inf`, as the format spells them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return String(value)
    }

    /// HELP text: backslash and line feed escaped.
    static func escapeHelp(_ text: String) -> String {
        text.replacingAll([("\\", "\\\\"), ("\n", "\\n")])
    }

    /// Label values: backslash, double quote and line feed escaped.
    static func escapeLabel(_ text: String) -> String {
        text.replacingAll([("\\", "\\\\"), ("\"", "\\\""), ("\n", "\\n")])
    }
}

extension String {
    /// Each character of `pairs` replaced, in one pass (so a replacement is never replaced again).
    fileprivate func replacingAll(_ pairs: [(Character, String)]) -> String {
        guard contains(where: { c in pairs.contains { $0.0 == c } }) else { return self }
        var out = ""
        for c in self {
            if let pair = pairs.first(where: { $0.0 == c }) { out += pair.1 } else { out.append(c) }
        }
        return out
    }
}
