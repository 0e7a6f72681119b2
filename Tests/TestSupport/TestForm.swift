import Foundation

/// Which form of the long-running tests to run. The CI form (the default, inside
/// scripts/test.sh) keeps every assertion but uses few-second media and few repetitions;
/// `RECORDER_LONG_TESTS=1` runs the long form (hours of media, many trials). The reliability
/// suite's older switch, `RELIABILITY_LONG=1` (scripts/reliability.sh), means the same.
public enum TestForm {
    public static var isLong: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["RECORDER_LONG_TESTS"] == "1" || environment["RELIABILITY_LONG"] == "1"
    }

    /// `ci` in the CI form, `long` in the long form (trials, mutations, seconds of media).
    public static func value<T>(ci: T, long: T) -> T { isLong ? long : ci }
}
