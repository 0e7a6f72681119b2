import Foundation
import MediaCore
import XCTest

/// `fixedDecimal` prints what `String(format: "%.Nf")` prints, for the values mp4writer reports.
final class FixedDecimalTests: XCTestCase {
    func testMatchesPrintfForTypicalValues() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, 0.0004, 0.0005, 0.0015, 1, 1.9995, 9.9999, 10.5, 1080.395, 97442.96, 123456789.123, -0.25, -3.14159]
        values += (0..<2000).map { _ in Double.random(in: 0..<100_000, using: &generator) }
        for value in values {
            for digits in [0, 1, 2, 3] {
                let expected = String(format: "%.\(digits)f", value)
                let actual = fixedDecimal(value, digits: digits)
                // printf rounds the binary value exactly; we round value * 10^digits, which can
                // differ on a tie that is not one in binary. Accept only that last-digit case.
                if actual != expected {
                    let a = Double(actual)!, e = Double(expected)!
                    var unit = 1.0
                    for _ in 0..<digits { unit /= 10 }
                    XCTAssertEqual(abs(a - e), unit, accuracy: unit / 1000, "\(value) with \(digits) digits: \(actual) vs \(expected)")
                }
            }
        }
        XCTAssertEqual(fixedDecimal(1080.395, digits: 3), "1080.395")
        XCTAssertEqual(fixedDecimal(0.05, digits: 3), "0.050")
        XCTAssertEqual(fixedDecimal(7, digits: 0), "7")
    }
}
