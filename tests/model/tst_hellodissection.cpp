// The full dissection of ClientHello, ServerHello and the other handshake messages, and the fingerprints:
// the specifications' own vectors, real hellos from openssl, gnutls-cli, curl and Qt recorded on loopback by a raw
// python3 socket (JA3/JA3S cross-checked with tshark on a capture of the same bytes), every prefix, 1-byte records,
// and malformed input with its precise error.
#include "model/capture/pcapngwriter.h"
#include "model/capture/tcpsynthesizer.h"
#include "model/tls/fingerprints.h"
#include "model/tls/hellodissection.h"
#include "model/tls/tlsnames.h"
#include "peerprocess.h"
#include "testpki.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;

namespace {

QByteArray u8(quint8 v)
{
    return QByteArray(1, char(v));
}
QByteArray u16(quint16 v)
{
    return u8(quint8(v >> 8)) + u8(quint8(v & 0xff));
}
QByteArray u24(quint32 v)
{
    return u8(quint8(v >> 16)) + u16(quint16(v & 0xffff));
}
QByteArray vec8(const QByteArray &b)
{
    return u8(quint8(b.size())) + b;
}
QByteArray vec16(const QByteArray &b)
{
    return u16(quint16(b.size())) + b;
}
QByteArray vec24(const QByteArray &b)
{
    return u24(quint32(b.size())) + b;
}
QByteArray u16s(const QList<quint16> &values)
{
    QByteArray out;
    for (quint16 v : values)
        out += u16(v);
    return out;
}
QByteArray ext(quint16 type, const QByteArray &data = {})
{
    return u16(type) + vec16(data);
}
QByteArray handshake(quint8 type, const QByteArray &body)
{
    return u8(type) + u24(quint32(body.size())) + body;
}
QByteArray clientHello(quint16 version, const QList<quint16> &ciphers, const QList<QByteArray> &extensions)
{
    QByteArray body = u16(version) + QByteArray(32, '\x11') + vec8(QByteArray(32, '\x22')) + vec16(u16s(ciphers))
        + vec8(QByteArray(1, '\0'));
    if (!extensions.isEmpty())
        body += vec16(extensions.join());
    return handshake(1, body);
}
QByteArray record(const QByteArray &payload, quint16 version = 0x0301)
{
    return u8(22) + u16(version) + vec16(payload);
}
// The same handshake bytes re-cut into records of `size` bytes.
QByteArray recut(const QByteArray &message, int size)
{
    QByteArray out;
    for (qsizetype at = 0; at < message.size(); at += size)
        out += record(message.mid(at, size));
    return out;
}
// The handshake messages carried by a run of plaintext records.
QList<QByteArray> handshakeMessages(const QByteArray &records)
{
    QByteArray stream;
    for (qsizetype pos = 0; pos + 5 <= records.size();) {
        const qsizetype length = (quint8(records[pos + 3]) << 8) | quint8(records[pos + 4]);
        if (records[pos] == 22)
            stream += records.mid(pos + 5, length);
        pos += 5 + length;
    }
    QList<QByteArray> out;
    for (qsizetype pos = 0; pos + 4 <= stream.size();) {
        const qsizetype length
            = (quint8(stream[pos + 1]) << 16) | (quint8(stream[pos + 2]) << 8) | quint8(stream[pos + 3]);
        out.append(stream.mid(pos, 4 + length));
        pos += 4 + length;
    }
    return out;
}

// The entry points, for byte arrays built with + (a QStringBuilder under QT_USE_QSTRINGBUILDER, which does not
// convert to QByteArrayView by itself).
QCborMap decode(quint8 type, const QByteArray &body, quint16 version)
{
    return decodeHandshakeMessage(type, body, version);
}
ClientHelloDissection dissectRecords(const QByteArray &bytes)
{
    return dissectClientHelloRecords(bytes);
}

// Chrome-like: GREASE first, the specification's example ciphers and extensions in its original order.
const QList<quint16> SpecCiphers = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
    0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
const QList<quint16> SpecSigalgs = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};

QByteArray specExampleHello(bool withEch)
{
    const QByteArray ech = ext(0xfe0d, u8(0) + u16(1) + u16(1) + u8(7) + vec16("enc") + vec16("p"));
    const QByteArray sni = vec16(u8(0) + vec16("example.test"));
    return clientHello(0x0303, SpecCiphers,
        {ext(0x2a2a), ext(0x001b, vec8(u16(2))), ext(0x0000, sni),
            ext(0x0033, vec16(u16(0x3a3a) + vec16(u8(0)) + u16(0x11ec) + vec16(QByteArray(1216, 'k')))),
            ext(0x0010, vec16(vec8("h2") + vec8("http/1.1"))), ext(0x4469, vec16(vec8("h2"))), ext(0x0017),
            ext(0x002d, vec8(u8(1))), ext(0x000d, vec16(u16s(SpecSigalgs))), ext(0x0005, u8(1) + u16(0) + u16(0)),
            ext(0x0023), ext(0x0012), ext(0x002b, vec8(u16s({0x7a7a, 0x0304, 0x0303}))), ext(0xff01, u8(0)),
            ext(0x000b, vec8(u8(0))), ext(0x000a, vec16(u16s({0x6a6a, 0x11ec, 0x001d, 0x0017, 0x0018}))),
            ext(0x0015, QByteArray(20, '\0')), withEch ? ech : QByteArray(), ext(0x1a1a, u8(0))});
}

} // namespace

class TestHelloDissection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void names();
    void ja4SpecificationVectors();
    void ja4AlpnRule_data();
    void ja4AlpnRule();
    void ja3SpecificationVector();
    void specExampleHello();
    void realClientHellos_data();
    void realClientHellos();
    void serverHellos_data();
    void serverHellos();
    void tls12ServerFlight();
    void tls13Messages();
    void malformed_data();
    void malformed();
    void records();
    void randomBytesNeverCrash();

private:
    QByteArray captureClientHello(const QString &program, const QStringList &arguments);
    QByteArray relayToServer(const QByteArray &clientHello, const QStringList &serverArguments, quint8 untilType);
    QStringList tsharkFingerprints(const QByteArray &client, const QByteArray &server);
    void writeCorpus(const QString &folder, const QString &name, const QByteArray &bytes);

    QTemporaryDir m_dir;
    CertFiles m_server;
    CertFiles m_ca;
    QByteArray m_opensslHello;
};

void TestHelloDissection::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_dir.setAutoRemove(qEnvironmentVariableIsEmpty("TLSLAB_KEEP_TEST_FILES")); // to look at hello.pcapng
    TestPki pki(m_dir.path());
    m_ca = pki.makeCa(u"ca"_s, u"Dissection Test CA"_s);
    m_server = pki.makeLeaf(u"server"_s, m_ca, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
    QVERIFY2(!m_server.certificate.isEmpty(), qPrintable(pki.lastError()));
    // The openssl hello the relay tests send: recorded here, so that no test depends on another having run.
    m_opensslHello = captureClientHello(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:PORT"_s, u"-servername"_s, u"example.test"_s, u"-alpn"_s,
            u"h2,http/1.1"_s});
    QVERIFY2(!m_opensslHello.isEmpty(), "no ClientHello recorded from openssl s_client");
}

void TestHelloDissection::writeCorpus(const QString &folder, const QString &name, const QByteArray &bytes)
{
    // TLSLAB_WRITE_CORPUS=<dir> refreshes the fuzzers' seed corpus (tests/fuzz/corpus) from real peers.
    const QString root = qEnvironmentVariable("TLSLAB_WRITE_CORPUS");
    if (root.isEmpty())
        return;
    QDir().mkpath(root + u'/' + folder);
    QFile file(root + u'/' + folder + u'/' + name + u".bin"_s);
    if (file.open(QIODevice::WriteOnly))
        file.write(bytes);
}

QByteArray TestHelloDissection::captureClientHello(const QString &program, const QStringList &argumentsTemplate)
{
    PeerProcess listener;
    if (!listener.start(u"python3"_s, {QStringLiteral(TLSLAB_CAPTURE_SCRIPT), u"listen"_s}))
        return {};
    if (!listener.waitForOutput("PORT "))
        return {};
    const QByteArray port = listener.output().split(' ').value(1).trimmed();
    QStringList arguments = argumentsTemplate;
    for (QString &a : arguments)
        a.replace(u"PORT"_s, QString::fromLatin1(port));

    PeerProcess client;
    std::unique_ptr<QSslSocket> qtClient;
    if (program == u"qt") {
        qtClient = std::make_unique<QSslSocket>();
        QSslConfiguration config = qtClient->sslConfiguration();
        config.setAllowedNextProtocols({"h2", "http/1.1"});
        qtClient->setSslConfiguration(config);
        qtClient->connectToHostEncrypted(u"127.0.0.1"_s, port.toUShort(), u"qt.example"_s);
    } else if (!client.start(program, arguments, {}, false)) {
        return {};
    }
    if (!listener.finish(20000) || listener.exitCode() != 0) {
        qWarning() << "capture failed:" << listener.errorOutput();
        return {};
    }
    const QByteArray line = listener.output().mid(listener.output().indexOf("HEX ") + 4).trimmed();
    return QByteArray::fromHex(line);
}

QByteArray TestHelloDissection::relayToServer(
    const QByteArray &clientHello, const QStringList &serverArguments, quint8 untilType)
{
    const quint16 port = freePort();
    PeerProcess server;
    if (!server.start(u"openssl"_s,
            QStringList {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(port), u"-cert"_s, m_server.certificate,
                u"-key"_s, m_server.key, u"-naccept"_s, u"1"_s}
                + serverArguments,
            {}, false)
        || !server.waitForOutput("ACCEPT")) // not a probe connection: s_server accepts only one
        return {};
    PeerProcess relay;
    if (!relay.start(u"python3"_s,
            {QStringLiteral(TLSLAB_CAPTURE_SCRIPT), u"relay"_s, QString::number(port),
                QString::fromLatin1(clientHello.toHex()), QString::number(untilType)})
        || !relay.finish(20000) || relay.exitCode() != 0) {
        qWarning() << "relay failed:" << relay.errorOutput() << server.errorOutput();
        return {};
    }
    const QByteArray line = relay.output().mid(relay.output().indexOf("HEX ") + 4).trimmed();
    return QByteArray::fromHex(line);
}

QStringList TestHelloDissection::tsharkFingerprints(const QByteArray &client, const QByteArray &server)
{
    // The recorded bytes on a synthetic TCP connection to port 443, which tshark dissects as TLS.
    TcpSynthesizer tcp(0x7f000001, 50000, 0x7f000001, 443);
    PcapngWriter pcap;
    quint64 t = 1'700'000'000'000'000;
    // One statement each: the synthesizer numbers the segments in the order they are made.
    QList<QByteArray> packets = tcp.open();
    packets += tcp.send(true, client);
    packets += tcp.send(false, server);
    packets += tcp.close();
    for (const QByteArray &p : packets)
        pcap.addPacket(p, t += 1000);
    const QString path = m_dir.filePath(u"hello.pcapng"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(pcap.data()) != pcap.data().size())
        return {};
    file.close();
    int code = -1;
    const QByteArray out = PeerProcess::run(u"tshark"_s,
        {u"-r"_s, path, u"-T"_s, u"fields"_s, u"-e"_s, u"tls.handshake.ja3_full"_s, u"-e"_s, u"tls.handshake.ja3"_s,
            u"-e"_s, u"tls.handshake.ja3s_full"_s, u"-e"_s, u"tls.handshake.ja3s"_s},
        {}, &code, 60000);
    if (code != 0)
        qWarning() << "tshark:" << out;
    // One line per packet, tab-separated; keep the non-empty fields of the two hello packets, in field order.
    QStringList fields(4);
    for (const QByteArray &line : out.split('\n')) {
        if (line.startsWith("Running as user"))
            continue;
        const QList<QByteArray> parts = line.split('\t');
        for (int i = 0; i < 4 && i < parts.size(); ++i) {
            if (!parts[i].trimmed().isEmpty())
                fields[i] = QString::fromLatin1(parts[i].trimmed());
        }
    }
    return fields;
}

void TestHelloDissection::names()
{
    QCOMPARE(cipherSuiteName(0x1301), "TLS_AES_128_GCM_SHA256"_L1);
    QCOMPARE(cipherSuiteName(0xcca9), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"_L1);
    QCOMPARE(cipherSuiteName(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"_L1);
    QCOMPARE(cipherSuiteName(0x5600), "TLS_FALLBACK_SCSV"_L1);
    QCOMPARE(cipherSuiteLabel(0x0a0a), u"GREASE (0x0a0a)"_s);
    QCOMPARE(cipherSuiteLabel(0x1234), u"unknown (0x1234)"_s);
    QCOMPARE(extensionName(0xfe0d), "encrypted_client_hello"_L1);
    QCOMPARE(extensionName(0x4469), "application_settings"_L1);
    QCOMPARE(extensionName(0x44cd), "application_settings"_L1);
    QCOMPARE(extensionName(0xff01), "renegotiation_info"_L1);
    QCOMPARE(extensionName(0x0022), "delegated_credential"_L1);
    QCOMPARE(extensionName(0x001b), "compress_certificate"_L1);
    QCOMPARE(namedGroupName(0x11ec), "X25519MLKEM768"_L1);
    QCOMPARE(namedGroupName(0x11eb), "SecP256r1MLKEM768"_L1);
    QCOMPARE(namedGroupName(0x11ed), "SecP384r1MLKEM1024"_L1);
    QCOMPARE(namedGroupName(0x6399), "X25519Kyber768Draft00"_L1);
    QCOMPARE(namedGroupName(0x0100), "ffdhe2048"_L1);
    QCOMPARE(namedGroupLabel(0x2a2a), u"GREASE (0x2a2a)"_s);
    QCOMPARE(namedGroupLabel(0x0777), u"unknown (0x0777)"_s);
    QVERIFY(isHybridGroup(0x11ec) && isPostQuantumGroup(0x11ec) && !isPostQuantumGroup(0x001d));
    QCOMPARE(signatureSchemeName(0x0807), "ed25519"_L1);
    QCOMPARE(handshakeTypeName(8), "encrypted_extensions"_L1);
    QCOMPARE(alertDescriptionName(48), "unknown_ca"_L1);
    QCOMPARE(alertDescriptionName(121), "ech_required"_L1);
    // RFC 8701: exactly the sixteen 0x?a?a values with equal bytes.
    int grease = 0;
    for (int v = 0; v <= 0xffff; ++v)
        grease += isGrease(quint16(v));
    QCOMPARE(grease, 16);
    QVERIFY(isGrease(0x0a0a) && isGrease(0xfafa) && !isGrease(0x0a1a) && !isGrease(0x1a0a));
}

void TestHelloDissection::ja4SpecificationVectors()
{
    const QList<quint16> ciphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
        0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    QCOMPARE(Ja4::cipherHash(ciphers), u"8daaf6152771"_s);
    QCOMPARE(Ja4::cipherHash(QList<quint16> {0x0a0a} + ciphers), u"8daaf6152771"_s); // GREASE ignored
    QCOMPARE(Ja4::cipherHash({}), u"000000000000"_s);
    // The specification's sent order, SNI (0000) and ALPN (0010) included: both are left out of the hash.
    const QList<quint16> extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023,
        0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
    QCOMPARE(Ja4::extensionHash(extensions, SpecSigalgs), u"e5627efa2ab1"_s);
    QCOMPARE(Ja4::extensionHash(extensions, {}), u"6d807ffa2a79"_s);
    QCOMPARE(Ja4::extensionHash({0x0000, 0x0010}, SpecSigalgs), u"000000000000"_s);
    QCOMPARE(Ja4::versionCode(0x0304), u"13"_s);
    QCOMPARE(Ja4::versionCode(0x0300), u"s3"_s);
    QCOMPARE(Ja4::versionCode(0x1234), u"00"_s);
}

void TestHelloDissection::ja4AlpnRule_data()
{
    QTest::addColumn<QByteArray>("alpn");
    QTest::addColumn<QString>("code");
    QTest::newRow("h2") << QByteArray("h2") << u"h2"_s;
    QTest::newRow("http/1.1") << QByteArray("http/1.1") << u"h1"_s;
    QTest::newRow("one character") << QByteArray("x") << u"xx"_s;
    QTest::newRow("empty") << QByteArray() << u"00"_s;
    // The specification's examples for non-alphanumeric bytes.
    QTest::newRow("0xAB") << QByteArray("\xab") << u"ab"_s;
    QTest::newRow("0xAB 0xCD") << QByteArray("\xab\xcd") << u"ad"_s;
    QTest::newRow("0x30 0xAB") << QByteArray("\x30\xab") << u"3b"_s;
    QTest::newRow("0x30 0x31 0xAB 0xCD") << QByteArray("\x30\x31\xab\xcd") << u"3d"_s;
    QTest::newRow("0x30 0xAB 0xCD 0x31") << QByteArray("\x30\xab\xcd\x31") << u"01"_s;
}

void TestHelloDissection::ja4AlpnRule()
{
    QFETCH(QByteArray, alpn);
    QFETCH(QString, code);
    QCOMPARE(Ja4::alpnCode(alpn), code);
}

void TestHelloDissection::ja3SpecificationVector()
{
    QCOMPARE(md5Hex("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"),
        u"ada70206e40642a3e4461f35503241d5"_s);
    // The same string from a hello that says it, with GREASE that JA3 leaves out.
    const QByteArray hello = clientHello(0x0301, {0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4},
        {ext(0, vec16(u8(0) + vec16("a.example"))), ext(0x3a3a), ext(10, vec16(u16s({0x4a4a, 23, 24, 25}))),
            ext(11, vec8(u8(0)))});
    const ClientHelloDissection d = dissectClientHello(hello);
    QCOMPARE(d.status, DissectionStatus::Complete);
    const ClientFingerprints f = clientFingerprints(d);
    QCOMPARE(f.ja3, u"769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"_s);
    QCOMPARE(f.ja3Md5, u"ada70206e40642a3e4461f35503241d5"_s);
    QCOMPARE(f.ja3n, f.ja3); // already sorted
    QVERIFY(f.ja4.startsWith(u"t10d1203"_s)); // TLS 1.0, SNI, 12 ciphers, 3 extensions (GREASE left out)
    QVERIFY(f.ja4.endsWith(u"_000000000000"_s) == false);
}

void TestHelloDissection::specExampleHello()
{
    const QByteArray hello = ::specExampleHello(true);
    writeCorpus(u"clienthello"_s, u"synthetic-pq-ech"_s, record(hello));
    const ClientHelloDissection d = dissectClientHello(hello);
    QCOMPARE(d.status, DissectionStatus::Complete);
    QCOMPARE(d.messageSize, hello.size());
    QCOMPARE(d.serverName, u"example.test"_s);
    QCOMPARE(d.alpn, (QList<QByteArray> {"h2", "http/1.1"}));
    QCOMPARE(d.alpsProtocols, QList<QByteArray> {"h2"});
    QCOMPARE(d.highestVersion(), quint16(0x0304));
    QCOMPARE(d.cipherSuites.size(), 16);
    QCOMPARE(d.extensions.size(), 19);
    QVERIFY(d.extensions.first().isGrease());
    QCOMPARE(d.keyShares.size(), 2);
    QCOMPARE(d.keyShares[1].group, quint16(0x11ec));
    QCOMPARE(d.keyShares[1].size, quint16(1216));
    QVERIFY(d.offersPostQuantum());
    QCOMPARE(d.signatureAlgorithms, SpecSigalgs);
    QCOMPARE(d.certificateCompression, QList<quint16> {2});
    QCOMPARE(d.pskKeyExchangeModes, QList<quint8> {1});
    QCOMPARE(d.statusRequestType, quint8(1));
    QCOMPARE(d.echType, quint8(0));
    QCOMPARE(d.echConfigId, quint8(7));
    QCOMPARE(d.extension(0x0015)->size, quint16(20));

    const ClientFingerprints f = clientFingerprints(d);
    // 16 ciphers and 19 extensions on the wire; GREASE does not count.
    QCOMPARE(f.ja4.left(10), u"t13d1517h2"_s);
    QCOMPARE(f.ja4.mid(10, 14), u"_8daaf6152771_"_s);
    QCOMPARE(
        f.ja4r.section(u'_', 1, 1), u"002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"_s);
    QCOMPARE(
        f.ja4r.section(u'_', 2, 2), u"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,fe0d,ff01"_s);
    QCOMPARE(f.ja4r.section(u'_', 3, 3), u"0403,0804,0401,0503,0805,0501,0806,0601"_s);

    // Without the ECH extension the hello is the specification's example exactly.
    const ClientFingerprints spec = clientFingerprints(dissectClientHello(::specExampleHello(false)));
    QCOMPARE(spec.ja4, u"t13d1516h2_8daaf6152771_e5627efa2ab1"_s);
    QCOMPARE(spec.ja4r,
        u"t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,"
        "0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"_s);

    QCOMPARE(d.summary(),
        u"ClientHello for example.test: TLS 1.3, 16 cipher suites, 19 extensions, ALPN h2,http/1.1, post-quantum "
        "X25519MLKEM768, ECH"_s);
    const QCborMap cbor = d.toCbor();
    QCOMPARE(cbor.value(u"status"_s).toString(), u"complete"_s);
    QCOMPARE(cbor.value(u"server_name"_s).toString(), u"example.test"_s);
    QVERIFY(cbor.value(u"post_quantum"_s).toBool());
    const QCborArray extensions = cbor.value(u"extensions"_s).toArray();
    QCOMPARE(extensions.size(), 19);
    QVERIFY(extensions.at(0).toMap().value(u"grease"_s).toBool());
    QCOMPARE(extensions.at(1).toMap().value(u"name"_s).toString(), u"compress_certificate"_s);
    QCOMPARE(extensions.at(1).toMap().value(u"algorithms"_s).toArray().at(0).toString(), u"brotli"_s);
    const QCborMap keyShare = extensions.at(3).toMap();
    QCOMPARE(keyShare.value(u"name"_s).toString(), u"key_share"_s);
    const QCborMap hybrid = keyShare.value(u"shares"_s).toArray().at(1).toMap();
    QCOMPARE(hybrid.value(u"name"_s).toString(), u"X25519MLKEM768"_s);
    QCOMPARE(hybrid.value(u"size"_s).toInteger(), 1216);
    QVERIFY(hybrid.value(u"hybrid"_s).toBool());
    const QCborMap groups = extensions.at(15).toMap();
    QCOMPARE(groups.value(u"groups"_s).toArray(),
        (QCborArray {u"GREASE (0x6a6a)"_s, u"X25519MLKEM768"_s, u"x25519"_s, u"secp256r1"_s, u"secp384r1"_s}));
    QCOMPARE(groups.value(u"post_quantum_groups"_s).toArray(), QCborArray {u"X25519MLKEM768"_s});
    QCOMPARE(cbor.value(u"cipher_suites"_s).toArray().at(0).toString(), u"GREASE (0x0a0a)"_s);
    QCOMPARE(cbor.value(u"cipher_suites"_s).toArray().at(1).toString(), u"TLS_AES_128_GCM_SHA256"_s);
    QCOMPARE(cbor.value(u"cipher_suite_values"_s).toArray().at(1).toInteger(), 0x1301);
    const QCborMap ech = extensions.at(17).toMap();
    QCOMPARE(ech.value(u"name"_s).toString(), u"encrypted_client_hello"_s);
    QCOMPARE(ech.value(u"note"_s).toString(), u"ECH offered — real or GREASE cannot be told apart from outside"_s);
    QCOMPARE(extensions.at(16).toMap().value(u"size"_s).toInteger(), 20); // padding
}

void TestHelloDissection::realClientHellos_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("sni");
    QTest::addColumn<QList<QByteArray>>("alpn");
    QTest::addColumn<quint16>("highest");

    QTest::newRow("openssl") << u"openssl"_s
                             << QStringList {u"s_client"_s, u"-connect"_s, u"127.0.0.1:PORT"_s, u"-servername"_s,
                                    u"example.test"_s, u"-alpn"_s, u"h2,http/1.1"_s}
                             << u"example.test"_s << QList<QByteArray> {"h2", "http/1.1"} << quint16(0x0304);
    QTest::newRow("openssl-tls12") << u"openssl"_s
                                   << QStringList {u"s_client"_s, u"-connect"_s, u"127.0.0.1:PORT"_s, u"-tls1_2"_s,
                                          u"-noservername"_s}
                                   << QString() << QList<QByteArray> {} << quint16(0x0303);
    QTest::newRow("gnutls-cli") << u"gnutls-cli"_s
                                << QStringList {u"--sni-hostname"_s, u"gnutls.example"_s, u"--alpn"_s, u"acme-tls/1"_s,
                                       u"--insecure"_s, u"-p"_s, u"PORT"_s, u"127.0.0.1"_s}
                                << u"gnutls.example"_s << QList<QByteArray> {"acme-tls/1"} << quint16(0x0304);
    QTest::newRow("curl") << u"curl"_s
                          << QStringList {u"-sk"_s, u"--max-time"_s, u"15"_s, u"--connect-to"_s,
                                 u"curl.example:443:127.0.0.1:PORT"_s, u"https://curl.example/"_s}
                          << u"curl.example"_s << QList<QByteArray> {"h2", "http/1.1"} << quint16(0x0304);
    QTest::newRow("qt") << u"qt"_s << QStringList {} << u"qt.example"_s << QList<QByteArray> {"h2", "http/1.1"}
                        << quint16(0x0304);
}

void TestHelloDissection::realClientHellos()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QString, sni);
    QFETCH(QList<QByteArray>, alpn);
    QFETCH(quint16, highest);

    const QByteArray wire = captureClientHello(program, arguments);
    QVERIFY2(!wire.isEmpty(), "no ClientHello recorded");
    writeCorpus(u"clienthello"_s, QString::fromLatin1(QTest::currentDataTag()), wire);

    const ClientHelloDissection d = dissectClientHelloRecords(wire);
    QCOMPARE(d.error, QString());
    QCOMPARE(d.status, DissectionStatus::Complete);
    QCOMPARE(d.recordCount, 1);
    QVERIFY(d.recordVersion == 0x0301 || d.recordVersion == 0x0303);
    QCOMPARE(d.serverName, sni);
    QCOMPARE(d.alpn, alpn);
    QCOMPARE(d.highestVersion(), highest);
    QCOMPARE(d.random.size(), 32);
    QCOMPARE(d.messageSize, wire.size() - 5);
    QVERIFY(d.cipherSuites.size() >= 3);
    for (quint16 suite : d.cipherSuites) // every suite a real client offers has a name (or is GREASE)
        QVERIFY2(!cipherSuiteName(suite).isEmpty() || isGrease(suite), qPrintable(hex16(suite)));
    for (const HelloExtension &x : d.extensions)
        QVERIFY2(!x.name().isEmpty() || x.isGrease(), qPrintable(hex16(x.type)));
    QVERIFY(!d.supportedGroups.isEmpty());
    QVERIFY(!d.signatureAlgorithms.isEmpty());
    if (highest == 0x0304) {
        QVERIFY(!d.keyShares.isEmpty());
        for (const KeyShareEntry &k : d.keyShares) {
            if (k.group == 0x001d)
                QCOMPARE(k.size, quint16(32)); // x25519
            if (k.group == 0x0017)
                QCOMPARE(k.size, quint16(65)); // secp256r1, uncompressed
        }
    }

    // Every proper prefix asks for more; the same message in 1-byte and 7-byte records gives the same dissection.
    for (qsizetype n = 0; n < wire.size(); ++n) {
        const ClientHelloDissection prefix = dissectClientHelloRecords(QByteArrayView(wire).first(n));
        if (prefix.status != DissectionStatus::NeedMore)
            QFAIL(qPrintable(
                u"prefix of %1 bytes: %2 %3"_s.arg(n).arg(dissectionStatusName(prefix.status), prefix.error)));
    }
    const QByteArray message = wire.mid(5);
    for (int size : {1, 7, 256}) {
        const QByteArray split = recut(message, size);
        const ClientHelloDissection again = dissectClientHelloRecords(split);
        QCOMPARE(again.status, DissectionStatus::Complete);
        QCOMPARE(again.recordCount, int((message.size() + size - 1) / size));
        QCOMPARE(again.toCbor().value(u"extensions"_s), d.toCbor().value(u"extensions"_s));
        for (qsizetype n : {qsizetype(0), qsizetype(3), split.size() / 2, split.size() - 1}) {
            QCOMPARE(dissectClientHelloRecords(QByteArrayView(split).first(n)).status, DissectionStatus::NeedMore);
        }
    }
    QCOMPARE(dissectClientHello(message).toCbor(), [&] {
        ClientHelloDissection bare = d;
        bare.recordCount = 0;
        return bare.toCbor();
    }());

    // JA3 and JA3S as tshark computes them on a capture of the same bytes, the server being openssl s_server.
    const ClientFingerprints mine = clientFingerprints(d);
    QVERIFY(mine.ja4.startsWith(u"t"_s + Ja4::versionCode(highest) + (sni.isEmpty() ? u'i' : u'd')));
    const QByteArray server = relayToServer(wire, {}, 2);
    QVERIFY2(!server.isEmpty(), "openssl s_server did not answer");
    const QList<QByteArray> serverMessages = handshakeMessages(server);
    QVERIFY(!serverMessages.isEmpty());
    const ServerHelloDissection serverHello = dissectServerHello(serverMessages.first());
    QCOMPARE(serverHello.status, DissectionStatus::Complete);
    QCOMPARE(serverHello.version(), highest);
    writeCorpus(u"serverhello"_s, QString::fromLatin1(QTest::currentDataTag()), serverMessages.first());
    const ServerFingerprints serverPrints = serverFingerprints(serverHello);
    const QStringList tshark = tsharkFingerprints(wire, server);
    QCOMPARE(tshark.size(), 4);
    QCOMPARE(mine.ja3, tshark[0]);
    QCOMPARE(mine.ja3Md5, tshark[1]);
    QCOMPARE(serverPrints.ja3s, tshark[2]);
    QCOMPARE(serverPrints.ja3sMd5, tshark[3]);
}

void TestHelloDissection::serverHellos_data()
{
    QTest::addColumn<QStringList>("serverArguments");
    QTest::addColumn<bool>("retry");
    QTest::addColumn<quint16>("version");
    QTest::addColumn<QString>("group");
    QTest::newRow("TLS 1.3") << QStringList {} << false << quint16(0x0304) << u"x25519"_s;
    QTest::newRow("HelloRetryRequest") << QStringList {u"-groups"_s, u"secp384r1"_s} << true << quint16(0x0304)
                                       << u"secp384r1"_s;
    QTest::newRow("TLS 1.2") << QStringList {u"-tls1_2"_s} << false << quint16(0x0303) << QString();
}

void TestHelloDissection::serverHellos()
{
    QFETCH(QStringList, serverArguments);
    QFETCH(bool, retry);
    QFETCH(quint16, version);
    QFETCH(QString, group);
    const QByteArray server = relayToServer(m_opensslHello, serverArguments, 2);
    const QList<QByteArray> messages = handshakeMessages(server);
    QVERIFY(!messages.isEmpty());
    const QByteArray message = messages.first();
    const ServerHelloDissection s = dissectServerHello(message);
    QCOMPARE(s.error, QString());
    QCOMPARE(s.status, DissectionStatus::Complete);
    QCOMPARE(s.helloRetryRequest, retry);
    QCOMPARE(s.version(), version);
    QVERIFY(!cipherSuiteName(s.cipherSuite).isEmpty());
    if (!group.isEmpty())
        QCOMPARE(namedGroupLabel(s.keyShareGroup), group);
    if (version == 0x0304 && !retry)
        QCOMPARE(s.keyShareSize, quint16(32));
    QVERIFY2(s.summary().startsWith(
                 retry ? u"HelloRetryRequest: asks for "_s + group : u"ServerHello: "_s + versionLabel(version)),
        qPrintable(s.summary()));
    const QCborMap cbor = s.toCbor();
    QCOMPARE(cbor.value(u"hello_retry_request"_s).toBool(), retry);
    QCOMPARE(cbor.value(u"version"_s).toString(), versionLabel(version));
    // The ServerHello through the generic decoder gives the same facts.
    QCOMPARE(decodeHandshakeMessage(2, message.mid(4), 0).value(u"cipher_suite"_s).toString(),
        cipherSuiteLabel(s.cipherSuite));
    for (qsizetype n = 0; n < message.size(); ++n)
        QCOMPARE(dissectServerHello(QByteArrayView(message).first(n)).status, DissectionStatus::NeedMore);
    writeCorpus(u"serverhello"_s, QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'), message);
}

void TestHelloDissection::tls12ServerFlight()
{
    // A TLS 1.2 server flight is plaintext: ServerHello, Certificate, ServerKeyExchange, CertificateRequest,
    // ServerHelloDone, as openssl s_server sends them when it asks for a client certificate.
    const QByteArray server
        = relayToServer(m_opensslHello, {u"-tls1_2"_s, u"-verify"_s, u"1"_s, u"-CAfile"_s, m_ca.certificate}, 14);
    const QList<QByteArray> messages = handshakeMessages(server);
    QCOMPARE(messages.size(), 5);
    QList<int> types;
    for (const QByteArray &m : messages)
        types.append(quint8(m[0]));
    QCOMPARE(types, (QList<int> {2, 11, 12, 13, 14}));

    const QCborMap certificate = decodeHandshakeMessage(11, messages[1].mid(4), 0x0303);
    QCOMPARE(certificate.value(u"error"_s).toString(), QString());
    QCOMPARE(certificate.value(u"message"_s).toString(), u"certificate"_s);
    // s_server completes the chain from its -CAfile: the leaf, then the CA, as sent.
    QCOMPARE(certificate.value(u"certificate_count"_s).toInteger(), 2);
    const QCborArray chain = certificate.value(u"certificates"_s).toArray();
    for (const auto &[index, path] : {std::pair {0, m_server.certificate}, std::pair {1, m_ca.certificate}}) {
        QFile pem(path);
        QVERIFY(pem.open(QIODevice::ReadOnly));
        QCOMPARE(chain.at(index).toMap().value(u"der"_s).toByteArray(), QSslCertificate(pem.readAll()).toDer());
    }

    const QCborMap keyExchange = decodeHandshakeMessage(12, messages[2].mid(4), 0x0303);
    QCOMPARE(keyExchange.value(u"key_exchange"_s).toString(), u"ECDHE"_s);
    QCOMPARE(keyExchange.value(u"group"_s).toString(), u"x25519"_s);
    QCOMPARE(keyExchange.value(u"public_key_size"_s).toInteger(), 32);

    const QCborMap request = decodeHandshakeMessage(13, messages[3].mid(4), 0x0303);
    QCOMPARE(request.value(u"error"_s).toString(), QString());
    const QCborArray authorities = request.value(u"certificate_authorities"_s).toArray();
    QCOMPARE(authorities.size(), 1);
    QVERIFY2(
        authorities.at(0).toString().contains(u"CN=Dissection Test CA"_s), qPrintable(authorities.at(0).toString()));
    QVERIFY(request.value(u"signature_algorithms"_s).toArray().contains(u"rsa_pss_rsae_sha256"_s));

    QCOMPARE(
        decodeHandshakeMessage(14, messages[4].mid(4), 0x0303).value(u"message"_s).toString(), u"server_hello_done"_s);
    QVERIFY(!decodeHandshakeMessage(14, messages[4].mid(4), 0x0303).contains(u"error"_s));

    for (int i = 1; i < messages.size(); ++i) {
        writeCorpus(
            u"handshake"_s, u"tls12-%1"_s.arg(types[i]), u8(quint8(types[i])) + u16(0x0303) + messages[i].mid(4));
        // Every truncation is an error map, never a crash.
        const QByteArray body = messages[i].mid(4);
        for (qsizetype n = 0; n < body.size(); n += qMax<qsizetype>(1, body.size() / 50))
            QVERIFY(decodeHandshakeMessage(quint8(types[i]), body.first(n), 0x0303).contains(u"error"_s));
    }
}

void TestHelloDissection::tls13Messages()
{
    // TLS 1.3 messages travel encrypted; the tap sees them decrypted. Built here field by field from RFC 8446.
    const QCborMap ee = decode(8,
        vec16(ext(0x0010, vec16(vec8("h2"))) + ext(0x000a, vec16(u16s({0x001d, 0x11ec}))) + ext(0x0000) + ext(0x002a)),
        0x0304);
    QCOMPARE(ee.value(u"alpn"_s).toString(), u"h2"_s);
    QCOMPARE(ee.value(u"supported_groups"_s).toArray(), (QCborArray {u"x25519"_s, u"X25519MLKEM768"_s}));
    QVERIFY(ee.value(u"early_data_accepted"_s).toBool());
    QCOMPARE(ee.value(u"extensions"_s).toArray().size(), 4);

    const QByteArray certA(300, 'a'), certB(200, 'b');
    const QCborMap cert13
        = decode(11, vec8({}) + vec24(vec24(certA) + vec16(ext(0x0005, "ocsp")) + vec24(certB) + vec16({})), 0x0304);
    QCOMPARE(cert13.value(u"certificate_count"_s).toInteger(), 2);
    const QCborArray certs = cert13.value(u"certificates"_s).toArray();
    QCOMPARE(certs.at(0).toMap().value(u"der"_s).toByteArray(), certA);
    QCOMPARE(certs.at(0).toMap().value(u"extensions"_s).toArray().at(0).toString(), u"status_request"_s);
    QCOMPARE(certs.at(1).toMap().value(u"size"_s).toInteger(), 200);
    // The TLS 1.2 layout of the same certificates (no context, no extensions).
    QCOMPARE(decode(11, vec24(vec24(certA) + vec24(certB)), 0x0303).value(u"certificate_count"_s).toInteger(), 2);
    // An empty Certificate: the client had none to send.
    QCOMPARE(decode(11, vec8({}) + vec24({}), 0x0304).value(u"certificate_count"_s).toInteger(), 0);

    const QCborMap request = decode(
        13, vec8({}) + vec16(ext(0x000d, vec16(u16s({0x0804, 0x0403}))) + ext(0x002f, vec16(vec16("junk")))), 0x0304);
    QCOMPARE(request.value(u"signature_algorithms"_s).toArray(),
        (QCborArray {u"rsa_pss_rsae_sha256"_s, u"ecdsa_secp256r1_sha256"_s}));
    QVERIFY(request.value(u"certificate_authorities"_s).toArray().at(0).toString().startsWith(u"(not a DER name"_s));

    const QCborMap verify = decode(15, u16(0x0807) + vec16(QByteArray(64, 's')), 0x0304);
    QCOMPARE(verify.value(u"signature_scheme"_s).toString(), u"ed25519"_s);
    QCOMPARE(verify.value(u"signature_size"_s).toInteger(), 64);

    QCOMPARE(decode(20, QByteArray(32, 'f'), 0x0304).value(u"verify_data_size"_s).toInteger(), 32);

    const QCborMap ticket = decode(4,
        u16(0) + u16(7200) + QByteArray(4, 'x') + vec8("n") + vec16(QByteArray(100, 't'))
            + vec16(ext(0x002a, QByteArray("\x00\x00\x40\x00", 4))),
        0x0304);
    QCOMPARE(ticket.value(u"lifetime_s"_s).toInteger(), 7200);
    QVERIFY(ticket.value(u"age_add"_s).toBool());
    QCOMPARE(ticket.value(u"max_early_data_size"_s).toInteger(), 16384);
    QCOMPARE(ticket.value(u"ticket_size"_s).toInteger(), 100);
    const QCborMap ticket12 = decode(4, u16(0) + u16(300) + vec16(QByteArray(50, 't')), 0x0303);
    QCOMPARE(ticket12.value(u"lifetime_s"_s).toInteger(), 300);
    QVERIFY(!ticket12.contains(u"age_add"_s));

    QCOMPARE(decode(24, u8(1), 0x0304).value(u"update_requested"_s).toBool(), true);
    QCOMPARE(decode(24, u8(0), 0x0304).value(u"update_requested"_s).toBool(), false);
    QCOMPARE(decode(24, u8(2), 0x0304).value(u"error"_s).toString(),
        u"KeyUpdate request_update is 2; only 0 and 1 are defined"_s);

    // TLS 1.2 DHE parameters: a 2048-bit prime.
    const QByteArray prime = u8(0xff) + QByteArray(255, '\x01');
    const QCborMap dhe = decode(12,
        vec16(prime) + vec16(u8(2)) + vec16(QByteArray(256, 'y')) + u16(0x0804) + vec16(QByteArray(256, 's')), 0x0303);
    QCOMPARE(dhe.value(u"key_exchange"_s).toString(), u"DHE"_s);
    QCOMPARE(dhe.value(u"prime_bits"_s).toInteger(), 2048);

    QCOMPARE(decode(22, u8(1) + vec24("ocsp-response"), 0x0303).value(u"response_size"_s).toInteger(), 13);
    QCOMPARE(decode(16, vec8(QByteArray(32, 'k')), 0x0303).value(u"size"_s).toInteger(), 37);
    QVERIFY(!decode(5, {}, 0x0304).contains(u"error"_s));
    QCOMPARE(decode(5, "x", 0x0304).value(u"error"_s).toString(), u"end_of_early_data must be empty but has 1 bytes"_s);
    QCOMPARE(decode(99, "x", 0x0304).value(u"error"_s).toString(), u"unknown handshake message type 99"_s);
    QCOMPARE(decode(15, u16(0x0807) + u16(64) + "short", 0x0304).value(u"error"_s).toString(),
        u"signature claims 64 bytes, 5 remain (at byte 6)"_s);
}

void TestHelloDissection::malformed_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("error");
    const QList<quint16> ciphers = {0x1301};
    QTest::newRow("not a ClientHello") << handshake(2, QByteArray(40, 'x'))
                                       << u"not a ClientHello: handshake message type 2 (server_hello)"_s;
    QTest::newRow("extension overrun") << clientHello(0x0303, ciphers, {u16(0x0010) + u16(40) + QByteArray(12, 'x')})
                                       << u"extension 0x0010 claims 40 bytes, 12 remain (at byte 81)"_s;
    QTest::newRow("odd cipher list") << handshake(
        1, u16(0x0303) + QByteArray(32, 'r') + vec8({}) + vec16("abc") + vec8(u8(0)))
                                     << u"cipher_suites is 3 bytes; a non-empty even length is required"_s;
    QTest::newRow("cipher list overrun") << handshake(1, u16(0x0303) + QByteArray(32, 'r') + vec8({}) + u16(100) + "ab")
                                         << u"cipher_suites claims 100 bytes, 2 remain (at byte 39)"_s;
    QTest::newRow("long session id") << handshake(
        1, u16(0x0303) + QByteArray(32, 'r') + vec8(QByteArray(33, 's')) + vec16(u16(0x1301)) + vec8(u8(0)))
                                     << u"legacy_session_id is 33 bytes; at most 32 are allowed"_s;
    QTest::newRow("no compression") << handshake(
        1, u16(0x0303) + QByteArray(32, 'r') + vec8({}) + vec16(u16(0x1301)) + vec8({}))
                                    << u"legacy_compression_methods is empty; at least null (0) is required"_s;
    QTest::newRow("duplicate extension") << clientHello(0x0303, ciphers, {ext(0x0017), ext(0x0017)})
                                         << u"extension 0x0017 (extended_master_secret) is sent twice"_s;
    QTest::newRow("bad SNI list") << clientHello(0x0303, ciphers, {ext(0x0000, u16(30) + u8(0))})
                                  << u"server_name list claims 30 bytes, 1 remain (at byte 83)"_s;
    QTest::newRow("odd groups") << clientHello(0x0303, ciphers, {ext(0x000a, vec16("abc"))})
                                << u"supported_groups list has an odd length (3 bytes)"_s;
    QTest::newRow("key share overrun") << clientHello(
        0x0303, ciphers, {ext(0x0033, vec16(u16(0x001d) + u16(32) + "k"))})
                                       << u"key_share key_exchange claims 32 bytes, 1 remain (at byte 87)"_s;
    QTest::newRow("trailing bytes") << handshake(1, clientHello(0x0303, ciphers, {ext(0x0017)}).mid(4) + "zz")
                                    << u"ClientHello has 2 unexpected bytes after its last field (at byte 83)"_s;
    QTest::newRow("huge") << (u8(1) + u24(0xffffff))
                          << u"the ClientHello claims 16777215 bytes, more than any real one (at most 131072)"_s;
}

void TestHelloDissection::malformed()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, error);
    const ClientHelloDissection d = dissectClientHello(message);
    QCOMPARE(d.status, DissectionStatus::Error);
    QCOMPARE(d.error, error);
    QCOMPARE(d.summary(), u"Malformed ClientHello: "_s + error);
    QCOMPARE(d.toCbor().value(u"error"_s).toString(), error);
    QCOMPARE(clientFingerprints(d).ja4, QString());
}

void TestHelloDissection::records()
{
    const QByteArray message = clientHello(0x0303, {0x1301}, {ext(0x0017)});
    QCOMPARE(dissectRecords(u8(23) + u16(0x0303) + vec16(message)).error,
        u"not a TLS handshake record: content type 23 (the first byte of a ClientHello record is 22)"_s);
    QCOMPARE(dissectRecords("GET / HTTP/1.1\r\n").status, DissectionStatus::Error);
    QCOMPARE(dissectRecords(u8(22) + u16(0x0203)).error, u"record 1 has version major 2, not 3 (TLS) (at byte 0)"_s);
    QCOMPARE(dissectRecords(u8(22) + u16(0x0301) + u16(20000)).error,
        u"record 1 claims 20000 bytes, more than the 16384 a TLS record may carry (at byte 0)"_s);
    QCOMPARE(dissectRecords(record(message.left(10)) + record({})).error,
        u"record 2 is an empty handshake record, which TLS forbids (at byte 15)"_s);
    QCOMPARE(dissectRecords(record(message.left(10)) + u8(21) + u16(0x0303) + vec16("ab")).error,
        u"record 2 has content type 21 before the ClientHello is complete (at byte 15)"_s);
    QCOMPARE(dissectRecords(record(handshake(2, "x"))).error,
        u"not a ClientHello: handshake message type 2 (server_hello)"_s);
    // The hello followed by the next record (early data): bytes after the hello are not its business.
    const ClientHelloDissection withMore = dissectRecords(record(message) + u8(23) + u16(0x0303) + vec16("x"));
    QCOMPARE(withMore.status, DissectionStatus::Complete);
    QCOMPARE(withMore.recordVersion, quint16(0x0301));
    // 1-byte records: linear, and counted.
    const ClientHelloDissection bytewise = dissectRecords(recut(message, 1));
    QCOMPARE(bytewise.status, DissectionStatus::Complete);
    QCOMPARE(bytewise.recordCount, message.size());
    // An SSLv2-compatible hello (RFC 5246 E.2) is reported as such.
    const QByteArray v2body = u8(1) + u16(0x0301) + u16(6) + u16(0) + u16(16)
        + QByteArray("\x00\x00\x2f\x07\x00\xc0", 6) + QByteArray(16, 'c');
    const ClientHelloDissection v2 = dissectRecords(u16(quint16(0x8000 | v2body.size())) + v2body);
    QCOMPARE(v2.status, DissectionStatus::Complete);
    QVERIFY(v2.sslv2Compatible);
    QCOMPARE(v2.legacyVersion, quint16(0x0301));
    QCOMPARE(v2.cipherSuites, QList<quint16> {0x002f});
    QVERIFY(v2.toCbor().value(u"sslv2_compatible"_s).toBool());
}

void TestHelloDissection::randomBytesNeverCrash()
{
    // A bounded, seeded fuzz in the unit tests (the libFuzzer targets in tests/fuzz go much further): random bytes
    // and real hellos with random bytes flipped, through every entry point.
    QRandomGenerator random(20261201);
    const QByteArray base = m_opensslHello.isEmpty() ? record(::specExampleHello(true)) : m_opensslHello;
    int complete = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray data = base;
        const int flips = 1 + int(random.bounded(4));
        for (int f = 0; f < flips; ++f)
            data[random.bounded(int(data.size()))] = char(random.bounded(256));
        if (i % 4 == 0) {
            data = QByteArray(int(random.bounded(64)), Qt::Uninitialized);
            for (char &c : data)
                c = char(random.bounded(256));
        }
        const ClientHelloDissection d = dissectRecords(data);
        complete += d.status == DissectionStatus::Complete;
        if (d.status == DissectionStatus::Error)
            QVERIFY(!d.error.isEmpty());
        clientFingerprints(d);
        d.toCbor();
        const ServerHelloDissection s = dissectServerHello(data.mid(5));
        serverFingerprints(s);
        s.toCbor();
        decode(quint8(data.size() > 5 ? data[5] : 0), data.mid(9), i % 2 ? 0x0304 : 0x0303);
    }
    QVERIFY(complete > 0); // flips inside random, session id or a GREASE value still make a well-formed hello
}

QTEST_GUILESS_MAIN(TestHelloDissection)
#include "tst_hellodissection.moc"
