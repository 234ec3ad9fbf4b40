// `--ladder FILE` as a user runs it: `tlslab connect` to a `tlslab serve` on loopback writes the ladder of its
// connection as SVG (valid XML naming the messages), PNG and Mermaid (one arrow line per message, in the order the
// connection printed them); `tlslab show CAPTURE --ladder FILE --session N` writes the ladder of a captured session
// (both ends' messages); a path that cannot be written is a clear error and a non-zero exit. No display is set: the
// program draws on the offscreen platform by itself.
#include "peerprocess.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <QtEndian>

using namespace Qt::StringLiterals;
using namespace TlsLab::Test;

namespace {

QString tlslab()
{
    return qEnvironmentVariable("TLSLAB_BINARY");
}

// The handshake messages (type) a connection printed, in order, from its JSON event lines.
QStringList printedMessages(const QByteArray &output, quint64 *session = nullptr)
{
    QStringList types;
    for (const QByteArray &line : output.split('\n')) {
        const QJsonObject e = QJsonDocument::fromJson(line).object();
        const QString kind = e.value(u"kind"_s).toString();
        if (kind != u"tls-message"_s && kind != u"client-hello"_s)
            continue;
        const QJsonObject details = e.value(u"details"_s).toObject();
        if (details.value(u"type"_s).toString().isEmpty() || details.value(u"direction"_s).toString().isEmpty())
            continue;
        types.append(details.value(u"type"_s).toString());
        if (session)
            *session = quint64(e.value(u"session"_s).toDouble());
    }
    return types;
}

// The message arrows of a Mermaid sequenceDiagram ("C->>S: ClientHello (...)"), in order; application data and
// alerts are left out. Fails the test on a line that is neither an arrow, a note nor a header.
QStringList mermaidMessages(const QString &text, int *arrowLines)
{
    static const QRegularExpression arrow(u"^    [CS]-{1,2}(>>|x)[CS]: (.+?) \\("_s);
    QStringList types;
    *arrowLines = 0;
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (line == u"sequenceDiagram"_s || line.startsWith(u"    participant "_s) || line.startsWith(u"    Note "_s))
            continue;
        const QRegularExpressionMatch m = arrow.match(line);
        if (!m.hasMatch()) {
            qWarning("unexpected Mermaid line: %s", qPrintable(line));
            return {u"<bad line>"_s};
        }
        ++*arrowLines;
        const QString type = m.captured(2);
        if (type != u"application data"_s && !type.startsWith(u"alert "_s))
            types.append(type);
    }
    return types;
}

// The texts of an SVG, or a parse error.
QString svgTexts(const QByteArray &svg, QString *error)
{
    QXmlStreamReader xml(svg);
    QString texts;
    bool root = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && !root) {
            root = true;
            if (xml.name() != u"svg"_s) {
                *error = u"root element is %1"_s.arg(xml.name());
                return {};
            }
        }
        if (xml.isCharacters())
            texts += xml.text() + u'\n';
    }
    if (xml.hasError())
        *error = xml.errorString();
    return texts;
}

} // namespace

class TestLadderCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void connectWritesTheLadder();
    void showWritesTheLadderOfACapturedSession();
    void badPathIsAClearError();

private:
    QByteArray connectWith(quint16 port, const QStringList &extra, int *exitCode);

    QTemporaryDir m_dir;
    QString m_devCert;
    QString m_capture; // written by showWritesTheLadderOfACapturedSession
};

void TestLadderCli::initTestCase()
{
    QVERIFY2(QFile::exists(tlslab()), "TLSLAB_BINARY must name the built tlslab");
    QVERIFY(m_dir.isValid());
    qputenv("TLSLAB_DATA_DIR", m_dir.filePath(u"data"_s).toUtf8());
    m_devCert = m_dir.filePath(u"data/tlslab-dev.pem"_s);
    // As on a server without a display: tlslab must choose the offscreen platform itself to draw SVG and PNG.
    qunsetenv("QT_QPA_PLATFORM");
    qunsetenv("DISPLAY");
    qunsetenv("WAYLAND_DISPLAY");
}

QByteArray TestLadderCli::connectWith(quint16 port, const QStringList &extra, int *exitCode)
{
    PeerProcess connect;
    if (!connect.start(tlslab(),
            QStringList {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_devCert, u"--servername"_s,
                u"localhost"_s, u"--send"_s, u"ping"_s, u"--wait"_s, u"300"_s}
                + extra)
        || !connect.finish()) {
        *exitCode = -1;
        return {};
    }
    *exitCode = connect.exitCode();
    if (*exitCode != 0)
        qWarning("connect: %s", connect.errorOutput().constData());
    return connect.output();
}

void TestLadderCli::connectWritesTheLadder()
{
    PeerProcess serve;
    const quint16 port = freePort();
    QVERIFY(serve.start(tlslab(), {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--no-capture"_s}));
    QVERIFY(serve.waitForOutput("\"kind\":\"listener-started\""));

    int code = -1;
    const QString mermaid = m_dir.filePath(u"connect.mmd"_s);
    const QByteArray output = connectWith(port, {u"--ladder"_s, mermaid}, &code);
    QCOMPARE(code, 0);
    const QStringList printed = printedMessages(output);
    QVERIFY2(printed.contains(u"ClientHello"_s) && printed.contains(u"Finished"_s), output.constData());
    QFile mmd(mermaid);
    QVERIFY(mmd.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(mmd.readAll());
    QVERIFY2(text.startsWith(u"sequenceDiagram\n"_s), qPrintable(text));
    int arrows = 0;
    // One arrow line per message, in the order the connection printed them.
    QCOMPARE(mermaidMessages(text, &arrows), printed);
    QVERIFY(arrows >= printed.size());

    const QString svgPath = m_dir.filePath(u"connect.svg"_s);
    const QByteArray svgOutput = connectWith(port, {u"--ladder=%1"_s.arg(svgPath)}, &code);
    QCOMPARE(code, 0);
    QFile svgFile(svgPath);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    QString error;
    const QString texts = svgTexts(svgFile.readAll(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const QString &message : printedMessages(svgOutput))
        QVERIFY2(texts.contains(message), qPrintable(message + u" not in the SVG:\n"_s + texts));
    QVERIFY(texts.contains(u"Client"_s) && texts.contains(u"Server"_s));

    const QString pngPath = m_dir.filePath(u"connect.png"_s);
    connectWith(port, {u"--ladder"_s, pngPath}, &code);
    QCOMPARE(code, 0);
    QFile png(pngPath);
    QVERIFY(png.open(QIODevice::ReadOnly));
    const QByteArray head = png.read(24);
    // The PNG signature, then the IHDR chunk with the width and height (big-endian).
    QVERIFY(head.startsWith("\x89PNG\r\n\x1a\n") && head.mid(12, 4) == "IHDR");
    const quint32 width = qFromBigEndian<quint32>(head.constData() + 16);
    const quint32 height = qFromBigEndian<quint32>(head.constData() + 20);
    QVERIFY2(width >= 300 && height > width / 2, qPrintable(u"%1x%2"_s.arg(width).arg(height))); // a dozen rungs
}

void TestLadderCli::showWritesTheLadderOfACapturedSession()
{
    const QString capture = m_dir.filePath(u"ladder.tlscap"_s);
    m_capture = capture;
    PeerProcess serve;
    const quint16 port = freePort();
    QVERIFY(serve.start(tlslab(),
        {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--capture"_s, capture, u"--max-connections"_s,
            u"1"_s}));
    QVERIFY(serve.waitForOutput("\"kind\":\"listener-started\""));
    int code = -1;
    connectWith(port, {}, &code);
    QCOMPARE(code, 0);
    QVERIFY(serve.finish());
    quint64 session = 0;
    const QStringList served = printedMessages(serve.output(), &session);
    QVERIFY2(served.contains(u"ClientHello"_s) && session != 0, serve.output().constData());

    // One session in the capture: --session may be left out; the ladder holds the server's messages in order.
    const QString mermaid = m_dir.filePath(u"show.txt"_s);
    PeerProcess show;
    QVERIFY(show.start(tlslab(), {u"show"_s, capture, u"--ladder"_s, mermaid}));
    QVERIFY(show.finish());
    QVERIFY2(show.exitCode() == 0, show.errorOutput().constData());
    QVERIFY2(show.output().isEmpty(), show.output().constData()); // the ladder instead of the events
    QFile mmd(mermaid);
    QVERIFY(mmd.open(QIODevice::ReadOnly));
    int arrows = 0;
    QCOMPARE(mermaidMessages(QString::fromUtf8(mmd.readAll()), &arrows), served);

    const QString svgPath = m_dir.filePath(u"show.svg"_s);
    PeerProcess svg;
    QVERIFY(
        svg.start(tlslab(), {u"show"_s, capture, u"--ladder"_s, svgPath, u"--session"_s, QString::number(session)}));
    QVERIFY(svg.finish());
    QVERIFY2(svg.exitCode() == 0, svg.errorOutput().constData());
    QFile svgFile(svgPath);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    QString error;
    const QString texts = svgTexts(svgFile.readAll(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(texts.contains(u"ServerHello"_s) && texts.contains(u"Certificate"_s), qPrintable(texts));

    // A session the capture does not hold: named as such, with the ones it does.
    PeerProcess unknown;
    QVERIFY(unknown.start(tlslab(), {u"show"_s, capture, u"--ladder"_s, svgPath, u"--session"_s, u"999999"_s}));
    QVERIFY(unknown.finish());
    QCOMPARE(unknown.exitCode(), 2);
    QVERIFY2(unknown.errorOutput().contains("no such session")
            && unknown.errorOutput().contains(QByteArray::number(session)),
        unknown.errorOutput().constData());
}

void TestLadderCli::badPathIsAClearError()
{
    // Checked before connecting: nothing listens on this port, yet the answer is about the path.
    const QString missing = m_dir.filePath(u"no/such/folder/ladder.svg"_s);
    PeerProcess connect;
    QVERIFY(connect.start(tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(freePort()), u"--ladder"_s, missing}));
    QVERIFY(connect.finish());
    QCOMPARE(connect.exitCode(), 2);
    QVERIFY2(connect.errorOutput().contains("does not exist") && connect.errorOutput().contains(missing.toUtf8()),
        connect.errorOutput().constData());
    QVERIFY(!QFile::exists(missing));

    // A folder given as the file, for show.
    QVERIFY(QFile::exists(m_capture));
    PeerProcess show;
    QVERIFY(show.start(tlslab(), {u"show"_s, m_capture, u"--ladder"_s, m_dir.path()}));
    QVERIFY(show.finish());
    QVERIFY(show.exitCode() != 0);
    QVERIFY2(show.errorOutput().contains("is a folder"), show.errorOutput().constData());
}

QTEST_GUILESS_MAIN(TestLadderCli)
#include "tst_laddercli.moc"
