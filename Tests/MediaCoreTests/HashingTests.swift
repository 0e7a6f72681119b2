import MediaCore
import XCTest

/// MD5 and SHA-256 against their RFCs' test vectors; Base64 and hex round trips.
final class HashingTests: XCTestCase {
    func testMD5MatchesRFC1321TestSuite() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (input, digest) in vectors {
            XCTAssertEqual(HexString.encode(MD5.hash(Array(input.utf8))), digest, input)
        }
    }

    func testSHA256MatchesFIPS180Examples() {
        XCTAssertEqual(HexString.encode(SHA256.hash(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(HexString.encode(SHA256.hash([UInt8]())),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(HexString.encode(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(HexString.encode(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testBase64RoundTripsAndAcceptsCameraForms() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes)
        }
        XCTAssertEqual(Base64.encode(Array("Aladdin:open sesame".utf8)), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        XCTAssertEqual(Base64.decode("Z0LAHtkDxWhAAAADAEAAAAwDxYuS"), Base64.decode("Z0LAHtkDxWhAAAADAEAAAAwDxYuS=="))
        XCTAssertNil(Base64.decode("a b"))
        XCTAssertEqual(HexString.decode("1190"), [0x11, 0x90])
        XCTAssertNil(HexString.decode("119"))
        XCTAssertNil(HexString.decode("zz"))
    }
}
