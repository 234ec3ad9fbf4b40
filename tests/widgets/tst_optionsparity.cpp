// The command line and the window read their TLS options through one module (Model::TlsOptions), so they must
// accept and refuse the same input with the same words: the same bad ALPN list is fed to `tlslab serve`, `tlslab
// connect`, the listener panel and the client panel; a PKCS#12 identity made by `openssl pkcs12 -export` is served by
// `tlslab serve --cert x.p12` and by the listener panel, and `openssl s_client` completes a verified handshake with
// each; and the plaintext HTTP GET of `tlslab connect --http` and of the client panel arrive as the same bytes.
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/listener.h"
#include "model/tls/plaintextpayload.h"
#include "model/tls/tlsoptions.h"
#include "peerprocess.h"
#include "testpki.h"
#include "widgets/certificatedialog.h"
#include "widgets/clientpanel.h"
#include "widgets/listenerpanel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;
using namespace TlsLab::Widgets;

namespace {
QString tlslab()
{
    return qEnvironmentVariable("TLSLAB_BINARY");
}

template<typename T>
T *child(QWidget *parent, const QString &name)
{
    T *widget = parent->findChild<T *>(name);
    if (!widget)
        qWarning() << "no child" << name;
    return widget;
}

// What `openssl s_client` says after a handshake with the server on port, verifying it against caFile.
QByteArray sClientHandshake(quint16 port, const QString &caFile)
{
    return PeerProcess::run(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port), u"-servername"_s, u"localhost"_s, u"-CAfile"_s,
            caFile, u"-verify_return_error"_s, u"-brief"_s},
        {}, nullptr, 15000);
}
} // namespace

class TestOptionsParity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void badAlpnSameEverywhere_data();
    void badAlpnSameEverywhere();
    void pkcs12ServedByCommandLine();
    void pkcs12ServedByListenerPanel();
    void pkcs12ReadByClientPanel();
    void httpGetSameEverywhere();
    void combosCarryTheirValues();

private:
    QTemporaryDir m_dir;
    CertFiles m_server;
    QString m_bundle;
};

void TestOptionsParity::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(QFile::exists(tlslab()), "TLSLAB_BINARY must name the built tlslab");
    QVERIFY(m_dir.isValid());
    qputenv("TLSLAB_DATA_DIR", m_dir.filePath(u"data"_s).toUtf8());
    TestPki pki(m_dir.filePath(u"pki"_s));
    m_server = pki.makeSelfSigned(u"server"_s, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
    QVERIFY2(!m_server.certificate.isEmpty(), qPrintable(pki.lastError()));
    m_bundle = m_dir.filePath(u"server.p12"_s);
    int code = -1;
    const QByteArray output = PeerProcess::run(u"openssl"_s,
        {u"pkcs12"_s, u"-export"_s, u"-in"_s, m_server.certificate, u"-inkey"_s, m_server.key, u"-passout"_s,
            u"pass:p12 secret"_s, u"-out"_s, m_bundle},
        {}, &code);
    QVERIFY2(code == 0, output.constData());
    // The command line reads passphrases from the environment only.
    qputenv("TLSLAB_TEST_P12_PASS", "p12 secret");
}

void TestOptionsParity::badAlpnSameEverywhere_data()
{
    QTest::addColumn<QString>("alpn");
    QTest::newRow("a 256-byte name") << QString(256, u'a');
    QTest::newRow("an empty name") << u"h2,,http/1.1"_s;
}

void TestOptionsParity::badAlpnSameEverywhere()
{
    QFETCH(QString, alpn);
    const auto model = TlsOptions::alpnProtocols(alpn);
    QVERIFY(!model.ok());
    const QString message = model.error();

    // The command line, both commands: one line on stderr, a usage error.
    const QList<QStringList> commands {
        {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(freePort()), u"--alpn"_s, alpn},
        {u"connect"_s, u"127.0.0.1:%1"_s.arg(freePort()), u"--alpn"_s, alpn},
    };
    for (const QStringList &arguments : commands) {
        PeerProcess cli;
        QVERIFY(cli.start(tlslab(), arguments));
        QVERIFY(cli.finish(10000));
        QCOMPARE(cli.exitCode(), 2);
        QCOMPARE(QString::fromUtf8(cli.errorOutput()), u"tlslab: "_s + message + u'\n');
    }

    // The listener panel shows the same words and does not start.
    Lab lab;
    Listener &listener = lab.listener();
    ListenerPanel listenerPanel(&listener);
    child<QLineEdit>(&listenerPanel, u"addressEdit"_s)->setText(u"127.0.0.1"_s);
    child<QSpinBox>(&listenerPanel, u"portSpin"_s)->setValue(freePort());
    child<QLineEdit>(&listenerPanel, u"alpnEdit"_s)->setText(alpn);
    QVERIFY(!listenerPanel.startListener());
    QCOMPARE(listenerPanel.errorText(), message);
    QVERIFY(!listener.isListening());

    // So does the client panel, which used to send such a name.
    ClientPanel clientPanel(&lab);
    child<QLineEdit>(&clientPanel, u"hostEdit"_s)->setText(u"127.0.0.1"_s);
    child<QLineEdit>(&clientPanel, u"alpnEdit"_s)->setText(alpn);
    clientPanel.setMode(ClientMode::Tls);
    QVERIFY(!clientPanel.connectToServer());
    QCOMPARE(clientPanel.statusText(), message);
    QVERIFY(!clientPanel.client());
}

void TestOptionsParity::pkcs12ServedByCommandLine()
{
    PeerProcess serve;
    const quint16 port = freePort();
    QVERIFY(serve.start(tlslab(),
        {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--cert"_s, m_bundle, u"--passphrase-env"_s,
            u"TLSLAB_TEST_P12_PASS"_s, u"--max-connections"_s, u"1"_s}));
    QVERIFY2(serve.waitForOutput("\"kind\":\"listener-started\""), serve.errorOutput().constData());
    const QByteArray handshake = sClientHandshake(port, m_server.certificate);
    QVERIFY2(handshake.contains("Verification: OK"), handshake.constData());
    QVERIFY2(handshake.contains("CN = localhost") || handshake.contains("CN=localhost"), handshake.constData());
    QVERIFY(serve.finish(15000));
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY2(serve.output().contains("\"kind\":\"encrypted\""), serve.output().constData());
}

void TestOptionsParity::pkcs12ServedByListenerPanel()
{
    Lab lab;
    Timeline &timeline = lab.timeline();
    Listener &listener = lab.listener();
    ListenerPanel panel(&listener);
    panel.useCertificateFiles(m_bundle, {}); // a bundle: no key file
    child<QLineEdit>(&panel, u"passphraseEdit"_s)->setText(u"p12 secret"_s);
    child<QLineEdit>(&panel, u"addressEdit"_s)->setText(u"127.0.0.1"_s);
    const quint16 port = freePort();
    child<QSpinBox>(&panel, u"portSpin"_s)->setValue(port);
    QVERIFY2(panel.startListener(), qPrintable(panel.errorText()));
    QVERIFY(listener.isListening());
    const auto expected = TlsOptions::identity(m_server.certificate, m_server.key);
    QVERIFY(expected.ok());
    QCOMPARE(listener.identity().leaf(), expected->leaf());

    const QByteArray handshake = sClientHandshake(port, m_server.certificate);
    QVERIFY2(handshake.contains("Verification: OK"), handshake.constData());
    const auto encrypted = [&timeline] {
        for (qsizetype i = 0; i < timeline.eventCount(); ++i) {
            const Event e = timeline.event(i);
            if (e.kind == EventKind::Encrypted && e.side == Side::Server)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(encrypted(), 10000);
    panel.stopListener();
}

void TestOptionsParity::pkcs12ReadByClientPanel()
{
    // The client panel takes a client identity the way the command line does (tlslab connect --cert x.p12
    // --passphrase-env VAR): from a bundle, with its passphrase, and says the same when the passphrase is wrong.
    Lab lab;
    ClientPanel panel(&lab);
    panel.setMode(ClientMode::Tls);
    panel.setTrust(ClientPanel::Trust::System);
    child<QLineEdit>(&panel, u"hostEdit"_s)->setText(u"127.0.0.1"_s);
    child<QSpinBox>(&panel, u"portSpin"_s)->setValue(freePort());
    child<QLineEdit>(&panel, u"clientCertEdit"_s)->setText(m_bundle);
    child<QLineEdit>(&panel, u"clientPassphraseEdit"_s)->setText(u"wrong"_s);
    QVERIFY(!panel.connectToServer());
    QCOMPARE(panel.statusText(), TlsOptions::identity(m_bundle, {}, "wrong").error());

    child<QLineEdit>(&panel, u"clientPassphraseEdit"_s)->setText(u"p12 secret"_s);
    QVERIFY2(panel.connectToServer(), qPrintable(panel.statusText()));
    QVERIFY(panel.client());
    const auto &identity = panel.client()->config().clientIdentity;
    QVERIFY(identity.has_value());
    QCOMPARE(identity->leaf(), TlsOptions::identity(m_server.certificate, m_server.key)->leaf());
    // Nothing listens there: the connection ends by itself, the panel's client with it.
    QTRY_VERIFY_WITH_TIMEOUT(panel.client()->isFinished(), 15000);
}

void TestOptionsParity::httpGetSameEverywhere()
{
    // A plain TCP server that keeps what each client sent up to the end of the request head, then closes.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QByteArray> requests;
    connect(&server, &QTcpServer::newConnection, &server, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            auto *received = new QByteArray;
            connect(socket, &QTcpSocket::readyRead, socket, [&requests, socket, received] {
                *received += socket->readAll();
                if (received->contains("\r\n\r\n") || received->size() > 4096) {
                    requests.append(*received);
                    socket->disconnectFromHost();
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, [socket, received] {
                delete received;
                socket->deleteLater();
            });
        }
    });
    const QString endpoint = u"127.0.0.1:%1"_s.arg(server.serverPort());
    const QByteArray expected = makePayload(PayloadKind::HttpGet, u"/"_s, endpoint).value();

    PeerProcess cli;
    QVERIFY(cli.start(tlslab(), {u"connect"_s, endpoint, u"--plaintext"_s, u"--http"_s}));
    QVERIFY(cli.finish(15000));
    QCOMPARE(cli.exitCode(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(requests.size(), 1, 10000);

    Lab lab;
    ClientPanel panel(&lab);
    panel.setMode(ClientMode::Plaintext);
    child<QLineEdit>(&panel, u"hostEdit"_s)->setText(u"127.0.0.1"_s);
    child<QSpinBox>(&panel, u"portSpin"_s)->setValue(server.serverPort());
    QComboBox *payload = child<QComboBox>(&panel, u"payloadCombo"_s);
    payload->setCurrentIndex(payload->findData(int(PayloadKind::HttpGet)));
    child<QLineEdit>(&panel, u"payloadEdit"_s)->setText(u"/"_s);
    QVERIFY2(panel.connectToServer(), qPrintable(panel.statusText()));
    QTRY_COMPARE_WITH_TIMEOUT(requests.size(), 2, 10000);

    QCOMPARE(requests.at(0), expected);
    QCOMPARE(requests.at(1), expected);
}

void TestOptionsParity::combosCarryTheirValues()
{
    // Every choice of the panels and the dialog carries its value, so no form reads a value from an item's position.
    Lab lab;
    Listener &listener = lab.listener();
    ListenerPanel listenerPanel(&listener);
    ClientPanel clientPanel(&lab);
    CertificateDialog dialog;
    int combos = 0;
    for (QWidget *form : {static_cast<QWidget *>(&listenerPanel), static_cast<QWidget *>(&clientPanel),
             static_cast<QWidget *>(&dialog)}) {
        for (const QComboBox *combo : form->findChildren<QComboBox *>()) {
            ++combos;
            QVERIFY2(combo->count() > 0, qPrintable(combo->objectName()));
            for (int i = 0; i < combo->count(); ++i)
                QVERIFY2(combo->itemData(i).isValid(), qPrintable(combo->objectName() + u' ' + combo->itemText(i)));
        }
    }
    QCOMPARE(combos, 11); // listener 4, client 4, dialog 3

    // Choosing by value: the listener panel's protocol choice reaches the listener.
    QComboBox *protocol = child<QComboBox>(&listenerPanel, u"protocolCombo"_s);
    protocol->setCurrentIndex(protocol->findData(int(QSsl::TlsV1_3)));
    child<QLineEdit>(&listenerPanel, u"addressEdit"_s)->setText(u"127.0.0.1"_s);
    child<QSpinBox>(&listenerPanel, u"portSpin"_s)->setValue(freePort());
    QVERIFY2(listenerPanel.startListener(), qPrintable(listenerPanel.errorText()));
    QCOMPARE(listener.config().protocol, QSsl::TlsV1_3);
    listenerPanel.stopListener();
}

QTEST_MAIN(TestOptionsParity)
#include "tst_optionsparity.moc"
