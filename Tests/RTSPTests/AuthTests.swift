import MediaCore
import RTSP
import XCTest

/// Basic and Digest (MD5, SHA-256, with and without qop) against the RFCs' worked examples.
final class AuthTests: XCTestCase {
    func testDigestMD5WithQopMatchesRFC2617Example() throws {
        let challenge = try XCTUnwrap(AuthenticationChallenge(parsing:
            #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
        let header = try XCTUnwrap(RTSPCredentials(user: "Mufasa", password: "Circle Of Life")
            .authorization(for: challenge, method: "GET", uri: "/dir/index.html", cnonce: "0a4f113b"))
        XCTAssertTrue(header.contains(#"response="6629fae49393a05397450978507c4ef1""#), header)
        XCTAssertTrue(header.contains("nc=00000001"))
        XCTAssertTrue(header.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
    }

    func testDigestSHA256MatchesRFC7616Example() throws {
        let challenge = try XCTUnwrap(AuthenticationChallenge(parsing:
            #"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#))
        let header = try XCTUnwrap(RTSPCredentials(user: "Mufasa", password: "Circle of Life")
            .authorization(for: challenge, method: "GET", uri: "/dir/index.html", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"))
        XCTAssertTrue(header.contains(#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#), header)
        XCTAssertTrue(header.contains("algorithm=SHA-256"))
    }

    func testDigestWithoutQopAndBasic() throws {
        let credentials = RTSPCredentials(user: "admin", password: "12345")
        let challenge = try XCTUnwrap(AuthenticationChallenge(parsing: #"Digest realm="IP Camera", nonce="abc""#))
        let header = try XCTUnwrap(credentials.authorization(for: challenge, method: "DESCRIBE", uri: "rtsp://cam/stream", cnonce: "x"))
        let ha1 = HexString.encode(MD5.hash(Array("admin:IP Camera:12345".utf8)))
        let ha2 = HexString.encode(MD5.hash(Array("DESCRIBE:rtsp://cam/stream".utf8)))
        let response = HexString.encode(MD5.hash(Array("\(ha1):abc:\(ha2)".utf8)))
        XCTAssertTrue(header.contains("response=\"\(response)\""))
        XCTAssertFalse(header.contains("qop"))
        let basic = credentials.authorization(for: AuthenticationChallenge(scheme: "basic", parameters: [:]), method: "DESCRIBE", uri: "x", cnonce: "x")
        XCTAssertEqual(basic, "Basic YWRtaW46MTIzNDU=")
    }

    func testStrongestOfSeveralChallengesWins() {
        let headers = [#"Basic realm="c""#, #"Digest realm="c", nonce="n1""#, #"Digest realm="c", nonce="n2", algorithm=SHA-256"#]
        XCTAssertEqual(RTSPCredentials.preferredChallenge(headers)?.parameters["nonce"], "n2")
        XCTAssertEqual(RTSPCredentials.preferredChallenge(Array(headers.prefix(2)))?.parameters["nonce"], "n1")
        XCTAssertEqual(RTSPCredentials.preferredChallenge([headers[0]])?.scheme, "basic")
    }

    func testServerVerifiesWhatTheClientComputes() throws {
        let credentials = RTSPCredentials(user: "pub", password: "s3cret")
        let issued = [AuthenticationChallenge(scheme: "digest", parameters: ["realm": "r", "nonce": "N", "qop": "auth"]),
                      AuthenticationChallenge(scheme: "basic", parameters: ["realm": "r"])]
        for challenge in issued {
            let header = try XCTUnwrap(credentials.authorization(for: challenge, method: "ANNOUNCE", uri: "rtsp://h/live/x", cnonce: "c"))
            XCTAssertTrue(credentials.verifies(header, method: "ANNOUNCE", challenges: issued))
            let wrong = try XCTUnwrap(RTSPCredentials(user: "pub", password: "nope").authorization(for: challenge, method: "ANNOUNCE", uri: "rtsp://h/live/x", cnonce: "c"))
            XCTAssertFalse(credentials.verifies(wrong, method: "ANNOUNCE", challenges: issued))
        }
    }
}
