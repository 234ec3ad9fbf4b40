// Captures and the Wireshark export, as a user runs them: `tlslab serve --keylog --pcap` read back by tshark (handshake
// shown, application data decrypted by the file's own secrets, our JA3 equal to tshark's), and a serve killed with
// SIGKILL whose capture `tlslab show` still reads; a truncated and a corrupted capture say where they stop.
#include "peerprocess.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace TlsLab::Test;

namespace {

QString tlslab()
{
    return qEnvironmentVariable("TLSLAB_BINARY");
}

QList<QJsonObject> jsonLines(const QByteArray &output)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : output.split('\n')) {
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            out.append(doc.object());
    }
    return out;
}

QList<QByteArray> eventLines(const QByteArray &output)
{
    QList<QByteArray> out;
    for (const QByteArray &line : output.split('\n')) {
        if (line.startsWith('{') && line.contains("\"kind\":") && line.contains("\"time\":"))
            out.append(line);
    }
    return out;
}

} // namespace

class TestCaptureCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void wiresharkExportDecryptsWithItsOwnSecrets();
    void captureSurvivesSigkill();
    void damagedCaptureSaysWhereItStops();
    void showRefusesWhatIsNotACapture();

private:
    bool startServe(PeerProcess &serve, quint16 &port, const QStringList &extra);
    bool connectOnce(quint16 port, const QStringList &extra = {});

    QTemporaryDir m_dir;
    QString m_devCert;
    QString m_tshark;
    QByteArray m_killedCapture; // the capture left by the killed serve, for the damage test
    int m_killedEvents = 0;
};

void TestCaptureCli::initTestCase()
{
    QVERIFY2(QFile::exists(tlslab()), "TLSLAB_BINARY must name the built tlslab");
    QVERIFY(m_dir.isValid());
    qputenv("TLSLAB_DATA_DIR", m_dir.filePath(u"data"_s).toUtf8());
    m_devCert = m_dir.filePath(u"data/tlslab-dev.pem"_s);
    m_tshark = QStandardPaths::findExecutable(u"tshark"_s);
    // tshark is part of the development setup (scripts/dev.sh); a missing one is a broken machine, not a skip.
    QVERIFY2(!m_tshark.isEmpty(), "tshark is not installed (scripts/dev.sh installs it)");
}

bool TestCaptureCli::startServe(PeerProcess &serve, quint16 &port, const QStringList &extra)
{
    port = freePort();
    if (!serve.start(tlslab(), QStringList {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port)} + extra))
        return false;
    return serve.waitForOutput("\"kind\":\"listener-started\"");
}

bool TestCaptureCli::connectOnce(quint16 port, const QStringList &extra)
{
    PeerProcess connect;
    if (!connect.start(tlslab(),
            QStringList {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_devCert, u"--servername"_s,
                u"localhost"_s, u"--send"_s, u"ping"_s, u"--wait"_s, u"300"_s}
                + extra))
        return false;
    return connect.finish() && connect.exitCode() == 0;
}

void TestCaptureCli::wiresharkExportDecryptsWithItsOwnSecrets()
{
    const QString keyLog = m_dir.filePath(u"serve.keys"_s);
    const QString pcap = m_dir.filePath(u"serve.pcapng"_s);
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(
        serve, port, {u"--keylog"_s, keyLog, u"--pcap"_s, pcap, u"--max-connections"_s, u"1"_s, u"--no-capture"_s}));
    QVERIFY(connectOnce(port));
    QVERIFY(serve.finish());
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY(QFile::exists(pcap));
    QCOMPARE(QFile::permissions(pcap) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());

    QString ja3;
    QString ja3Full;
    for (const QJsonObject &e : jsonLines(serve.output())) {
        if (e.value(u"kind"_s).toString() == u"client-hello") {
            const QJsonObject details = e.value(u"details"_s).toObject();
            ja3 = details.value(u"ja3_md5"_s).toString();
            ja3Full = details.value(u"ja3"_s).toString();
        }
    }
    QVERIFY2(!ja3.isEmpty(), serve.output().constData());

    // /dev/null as the key log file: the secrets can only come from the file's Decryption Secrets Block.
    int code = -1;
    const QByteArray fields = PeerProcess::run(m_tshark,
        {u"-r"_s, pcap, u"-o"_s, u"tls.keylog_file:/dev/null"_s, u"-o"_s, u"data.show_as_text:TRUE"_s, u"-T"_s,
            u"fields"_s, u"-E"_s, u"separator=|"_s, u"-e"_s, u"tls.handshake.type"_s, u"-e"_s, u"tls.handshake.ja3"_s,
            u"-e"_s, u"tls.handshake.ja3_full"_s, u"-e"_s, u"data.text"_s},
        {}, &code);
    QCOMPARE(code, 0);
    QByteArrayList types;
    QByteArray theirJa3, theirJa3Full, text;
    for (const QByteArray &line : fields.split('\n')) {
        const QByteArrayList f = line.split('|');
        if (f.size() < 4)
            continue;
        if (!f.at(0).isEmpty())
            types += f.at(0).split(',');
        if (!f.at(1).isEmpty())
            theirJa3 = f.at(1);
        if (!f.at(2).isEmpty())
            theirJa3Full = f.at(2);
        text += f.at(3);
    }
    // The handshake, including the encrypted messages only the secrets reveal (8: EncryptedExtensions, 20: Finished).
    for (const char *type : {"1", "2", "8", "11", "15", "20"})
        QVERIFY2(types.contains(type), fields.constData());
    QCOMPARE(QString::fromLatin1(theirJa3), ja3);
    QCOMPARE(QString::fromLatin1(theirJa3Full), ja3Full);
    // The greeting and the echo, decrypted.
    QVERIFY2(text.contains("Hello from TLS Lab"), fields.constData());
    QVERIFY2(text.contains("ping"), fields.constData());
}

void TestCaptureCli::captureSurvivesSigkill()
{
    const QString capture = m_dir.filePath(u"killed.tlscap"_s);
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--capture"_s, capture}));
    for (int i = 0; i < 3; ++i)
        QVERIFY(connectOnce(port));
    QVERIFY(serve.waitForOutput("\"kind\":\"closed\""));

    // The capture catches up within its flush interval, without the process ending: bounded, not a sleep.
    const QList<QByteArray> printedBefore = eventLines(serve.output());
    QByteArray shown;
    QTRY_VERIFY_WITH_TIMEOUT(
        (shown = PeerProcess::run(tlslab(), {u"show"_s, capture}), eventLines(shown).size() >= printedBefore.size()),
        10000);

    // Mid-traffic: a client is connected and waiting when the server is killed.
    PeerProcess pending;
    QVERIFY(pending.start(tlslab(),
        {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_devCert, u"--servername"_s, u"localhost"_s,
            u"--wait"_s, u"5000"_s}));
    QVERIFY(pending.waitForOutput("\"kind\":\"encrypted\""));
    ::kill(pid_t(serve.process().processId()), SIGKILL);
    QVERIFY(serve.finish());
    QCOMPARE(serve.process().exitStatus(), QProcess::CrashExit);

    int code = -1;
    const QByteArray out = PeerProcess::run(tlslab(), {u"show"_s, capture}, {}, &code);
    QCOMPARE(code, 0);
    const QList<QByteArray> read = eventLines(out);
    // Every event of the finished connections, exactly as serve printed it.
    for (const QByteArray &line : printedBefore)
        QVERIFY2(read.contains(line), line.constData());
    QVERIFY(read.size() >= printedBefore.size());

    QFile file(capture);
    QVERIFY(file.open(QIODevice::ReadOnly));
    m_killedCapture = file.readAll();
    m_killedEvents = int(read.size());
}

void TestCaptureCli::damagedCaptureSaysWhereItStops()
{
    QVERIFY(!m_killedCapture.isEmpty());

    // Cut in the middle: everything before the cut, and a line saying where.
    const QString cut = m_dir.filePath(u"cut.tlscap"_s);
    QFile cutFile(cut);
    QVERIFY(cutFile.open(QIODevice::WriteOnly));
    cutFile.write(m_killedCapture.left(m_killedCapture.size() / 2));
    cutFile.close();
    PeerProcess show;
    QVERIFY(show.start(tlslab(), {u"show"_s, cut}));
    QVERIFY(show.finish());
    QCOMPARE(show.exitCode(), 0);
    const int cutEvents = int(eventLines(show.output()).size());
    QVERIFY(cutEvents > 0);
    QVERIFY(cutEvents < m_killedEvents);
    QVERIFY2(show.errorOutput().contains("is damaged at byte"), show.errorOutput().constData());
    QVERIFY2(show.errorOutput().contains("truncated"), show.errorOutput().constData());
    QVERIFY2(show.errorOutput().contains(u"read the %1 events before it"_s.arg(cutEvents).toUtf8()),
        show.errorOutput().constData());

    // One changed byte in the middle: the records before it, a non-zero status, and the reason.
    QByteArray corrupt = m_killedCapture;
    const qsizetype at = corrupt.size() / 2;
    corrupt[at] = char(corrupt.at(at) ^ 0x20);
    const QString bad = m_dir.filePath(u"corrupt.tlscap"_s);
    QFile badFile(bad);
    QVERIFY(badFile.open(QIODevice::WriteOnly));
    badFile.write(corrupt);
    badFile.close();
    PeerProcess showBad;
    QVERIFY(showBad.start(tlslab(), {u"show"_s, bad, u"--format"_s, u"text"_s}));
    QVERIFY(showBad.finish());
    QCOMPARE(showBad.exitCode(), 1);
    QVERIFY2(showBad.errorOutput().contains("is damaged at byte"), showBad.errorOutput().constData());
    const int before = int(showBad.output().count('\n'));
    QVERIFY(before > 0);
    QVERIFY(before < m_killedEvents);

    // --grep filters like serve's.
    const QByteArray grepped = PeerProcess::run(tlslab(), {u"show"_s, cut, u"--grep"_s, u"ClientHello"_s});
    const QList<QByteArray> lines = eventLines(grepped);
    QVERIFY(!lines.isEmpty());
    for (const QByteArray &line : lines)
        QVERIFY2(line.toLower().contains("clienthello"), line.constData());
}

void TestCaptureCli::showRefusesWhatIsNotACapture()
{
    const QString notCapture = m_dir.filePath(u"not.tlscap"_s);
    QFile file(notCapture);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hello, I am text\n");
    file.close();
    PeerProcess show;
    QVERIFY(show.start(tlslab(), {u"show"_s, notCapture}));
    QVERIFY(show.finish());
    QCOMPARE(show.exitCode(), 1);
    QCOMPARE(
        show.errorOutput(), u"tlslab: %1 is not a TLS Lab capture (no capture header)\n"_s.arg(notCapture).toUtf8());
    PeerProcess device;
    QVERIFY(device.start(tlslab(), {u"show"_s, u"/dev/zero"_s}));
    QVERIFY(device.finish());
    QCOMPARE(device.exitCode(), 1);
    QCOMPARE(device.errorOutput(), QByteArray("tlslab: /dev/zero is not a regular file\n"));
}

QTEST_GUILESS_MAIN(TestCaptureCli)
#include "tst_capturecli.moc"
