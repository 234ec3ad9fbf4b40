// Takes the README's screenshots of the real window over loopback: a live TLS session, the Hello tab, a refused
// plaintext client, a certificate's details, the pending decision and the ladder of the failed handshake (light and
// dark), the run's own capture in a capture window, and the chain strip of an expired intermediate.
// Usage: tlslab_screenshots OUTPUT_DIR
// (run by scripts/screenshots.sh under the offscreen platform or Xvfb).
#include "model/capture/capturewriter.h"
#include "model/certs/certificategenerator.h"
#include "model/certs/certificateplan.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/listener.h"
#include "widgets/capturewindow.h"
#include "widgets/chainstrip.h"
#include "widgets/clientpanel.h"
#include "widgets/eventfiltermodel.h"
#include "widgets/eventtablemodel.h"
#include "widgets/handshakeladder.h"
#include "widgets/listenerpanel.h"
#include "widgets/mainwindow.h"
#include "widgets/sessiondetails.h"
#include "widgets/sessiontablemodel.h"
#include "widgets/timelineview.h"

#include <QApplication>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTableView>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <functional>
#include <optional>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
bool waitFor(const std::function<bool()> &condition, int ms = 10000)
{
    QDeadlineTimer deadline(ms);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QTest::qSleep(5);
    }
    return true;
}

void settle(int ms)
{
    QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

bool save(QWidget *widget, const QString &path)
{
    const bool ok = widget->grab().save(path);
    std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(45, 45, 48));
    p.setColor(QPalette::WindowText, QColor(230, 230, 230));
    p.setColor(QPalette::Base, QColor(30, 30, 32));
    p.setColor(QPalette::AlternateBase, QColor(40, 40, 44));
    p.setColor(QPalette::Text, QColor(230, 230, 230));
    p.setColor(QPalette::Button, QColor(55, 55, 60));
    p.setColor(QPalette::ButtonText, QColor(230, 230, 230));
    p.setColor(QPalette::Highlight, QColor(47, 111, 191));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, QColor(45, 45, 48));
    p.setColor(QPalette::ToolTipText, QColor(230, 230, 230));
    p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(130, 130, 130));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(130, 130, 130));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(130, 130, 130));
    return p;
}

int run(const QString &outDir, bool dark)
{
    Lab lab;
    if (!lab.startCapture({})) // as the window's main() does
        return 19;
    MainWindow window(lab);
    window.resize(1280, 800);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    window.listenerPanel()->findChild<QSpinBox *>(u"portSpin"_s)->setValue(4481);
    if (!window.listenerPanel()->startListener()) {
        window.listenerPanel()->findChild<QSpinBox *>(u"portSpin"_s)->setValue(0); // 4481 is busy here
        if (!window.listenerPanel()->startListener())
            return 2;
    }

    // A live session: the TLS client trusting the listener's certificate.
    ClientPanel *client = window.clientPanel();
    client->useListener();
    client->setTrust(ClientPanel::Trust::Listener);
    client->connectToServer();
    if (!waitFor([&] { return client->client() && client->client()->session().state == SessionState::Encrypted; }))
        return 3;
    client->client()->send("GET / hello\n");
    settle(300);
    const quint64 clientSession = client->client()->sessionId();

    // A refused plaintext client (HTTP GET).
    window.listenerPanel()->findChild<QComboBox *>(u"payloadCombo"_s)->setCurrentIndex(1);
    window.listenerPanel()->requestPlaintextConnect();
    if (!waitFor([&] { return lab.listener().counters().refused >= 1; }))
        return 4;
    settle(400);

    const QString suffix = dark ? u"-dark"_s : QString();
    window.findChild<QDockWidget *>(u"clientDock"_s)->raise();
    window.selectSession(clientSession);
    TimelineView *timeline = window.timelineView();
    const EventFilterModel *events = timeline->filterModel();
    auto selectEvent = [&](EventKind kind, quint64 session) {
        for (int r = 0; r < events->rowCount(); ++r) {
            const QModelIndex i = events->index(r, 0);
            if (i.data(EventTableModel::KindRole).toInt() == int(kind)
                && i.data(EventTableModel::SessionRole).toULongLong() == session) {
                timeline->table()->setCurrentIndex(i);
                return;
            }
        }
    };
    selectEvent(EventKind::Encrypted, clientSession);
    settle(300);
    if (!save(&window, outDir + u"/main-live-session"_s + suffix + u".png"_s))
        return 5;
    // The Hello tab, the refusal and the certificate viewer in the light palette only; the pending decision and the
    // ladder of the failed handshake in both.
    if (!dark) {
        // The Hello tab of the live session: fingerprints, the hello at a glance and its dissection, on both screens.
        window.sessionDetails()->showHello();
        for (const QSize size : {QSize(1440, 900), QSize(1024, 768)}) {
            window.resize(size);
            settle(300);
            if (!save(&window, outDir + u"/hello-%1x%2.png"_s.arg(size.width()).arg(size.height())))
                return 14;
        }
        // A post-quantum hello with GREASE and ECH (the seed corpus's), cut into records of 512 bytes and sent in two
        // writes from a plain socket: the listener's view of it, records and socket reads marked on the bar.
        {
            QFile corpus(QStringLiteral(TLSLAB_CORPUS_DIR) + u"/clienthello/synthetic-pq-ech.bin"_s);
            if (!corpus.open(QIODevice::ReadOnly))
                return 15;
            const QByteArray message = corpus.readAll().mid(5);
            QByteArray records;
            for (qsizetype at = 0; at < message.size(); at += 512) {
                const QByteArray piece = message.mid(at, 512);
                records += QByteArray::fromHex("160301") + char(piece.size() >> 8) + char(piece.size() & 0xff) + piece;
            }
            const qsizetype sessionsBefore = lab.timeline().sessionCount();
            QTcpSocket raw;
            raw.connectToHost(u"127.0.0.1"_s, lab.listener().port());
            if (!raw.waitForConnected(5000))
                return 16;
            raw.write(records.left(700));
            raw.waitForBytesWritten(2000);
            settle(200);
            raw.write(records.mid(700));
            raw.waitForBytesWritten(2000);
            settle(500);
            raw.abort();
            quint64 postQuantum = 0;
            if (!waitFor([&] {
                    const QList<Session> sessions = lab.timeline().sessions();
                    for (qsizetype i = sessionsBefore; i < sessions.size(); ++i) {
                        if (sessions.at(i).side == Side::Server && !sessions.at(i).isOpen())
                            postQuantum = sessions.at(i).id;
                    }
                    return postQuantum != 0;
                }))
                return 17;
            settle(300);
            // The details pane on its own, tall enough for the tree: the flags and the bar's marks are what matter.
            SessionDetails details(&lab.timeline());
            details.resize(820, 860);
            details.show();
            details.showSession(postQuantum);
            details.showHello();
            settle(300);
            if (!save(&details, outDir + u"/hello-post-quantum.png"_s))
                return 18;
        }
        window.sessionDetails()->findChild<QTabWidget *>(u"sessionDetailsTabs"_s)->setCurrentIndex(0); // Facts again
        window.resize(1280, 800);

        // The refusal: select the refused server session and its refusal event.
        window.findChild<QDockWidget *>(u"listenerDock"_s)->raise();
        quint64 refused = 0;
        for (const Session &s : lab.timeline().sessions())
            if (s.state == SessionState::Refused)
                refused = s.id;
        window.selectSession(refused);
        selectEvent(EventKind::PlaintextRefused, refused);
        settle(300);
        if (!save(&window, outDir + u"/plaintext-refused.png"_s))
            return 6;

        // The certificate the client was shown.
        window.selectSession(clientSession);
        settle(100);
        window.sessionDetails()->findChild<QPushButton *>(u"viewChainButton"_s)->click();
        QWidget *viewer = nullptr;
        if (!waitFor([&] { return (viewer = window.findChild<QWidget *>(u"certificateViewerWindow"_s)) != nullptr; }))
            return 7;
        viewer->resize(980, 720);
        settle(300);
        if (!save(viewer, outDir + u"/certificate-details.png"_s))
            return 8;
        viewer->close();
    }

    // The pending decision, on a 1024x768 screen: a client that does not trust the listener's certificate.
    window.resize(1024, 768);
    window.findChild<QDockWidget *>(u"clientDock"_s)->raise();
    client->setTrust(ClientPanel::Trust::System);
    client->connectToServer();
    if (!waitFor([&] { return client->pendingSeconds() >= 0; }))
        return 9;
    const quint64 failed = client->client()->sessionId();
    window.selectSession(failed);
    settle(1300);
    if (!save(&window, outDir + u"/pending-decision"_s + suffix + u".png"_s))
        return 10;

    // Abandoned: the ladder of the failed handshake, with the verdict, in the window and as its own picture.
    client->abandon();
    if (!waitFor([&] { return !lab.timeline().session(failed).diagnosis.isEmpty(); }))
        return 11;
    settle(600);
    window.selectSession(failed);
    window.sessionDetails()->showLadder();
    settle(300);
    if (!save(&window, outDir + u"/main-1024x768-ladder"_s + suffix + u".png"_s))
        return 12;
    const QImage ladder = window.sessionDetails()->ladder()->toImage();
    const QString ladderPath = outDir + u"/ladder-failed"_s + suffix + u".png"_s;
    const bool ladderSaved = ladder.save(ladderPath);
    std::printf("%s %s\n", ladderSaved ? "wrote" : "FAILED", qPrintable(ladderPath));
    if (!ladderSaved)
        return 13;
    if (dark)
        return 0;

    // This run's own capture file, opened read-only in a capture window (File > Open Capture).
    lab.capture()->flush();
    CaptureWindow *capture = window.openCapture(lab.capture()->path());
    if (!capture || !waitFor([&] { return !capture->message().isEmpty(); }))
        return 20;
    capture->resize(1280, 800);
    capture->sessionModel()->flush();
    // The failed handshake, as the file recorded it (the capture's table is a proxy-free view of its model).
    if (const int row = capture->sessionModel()->rowForSession(failed); row >= 0)
        capture->sessionTable()->selectRow(row);
    settle(400);
    return save(capture, outDir + u"/capture-window.png"_s) ? 0 : 21;
}
std::optional<Identity> makeCertificate(
    CertificateProfile profile, const QString &cn, const std::optional<Identity> &issuer, int fromDays, int toDays)
{
    CertificateRequest request;
    request.profile = profile;
    request.keyType = profile == CertificateProfile::CertificateAuthority ? KeyType::EcP384 : KeyType::EcP256;
    request.subject.commonName = cn;
    request.subject.organization = u"TLS Lab screenshots"_s;
    if (profile == CertificateProfile::Server)
        request.subjectAltNames = {u"DNS:localhost"_s, u"IP:127.0.0.1"_s};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    request.notBefore = now.addDays(fromDays);
    request.notAfter = now.addDays(toDays);
    request.issuer = issuer;
    const Result<Identity> made = CertificateGenerator::generate(request);
    if (!made)
        std::printf("FAILED to generate %s: %s\n", qPrintable(cn), qPrintable(made.error()));
    return made ? std::optional<Identity>(made.value()) : std::nullopt;
}

// The chain strip of an expired intermediate: the listener serves leaf → intermediate (expired a month ago) → root,
// the client trusts the root, verification fails on the intermediate; the session's Facts tab at 1024x768 and
// 1440x900, and the strip alone.
int expiredIntermediate(const QString &outDir, bool dark)
{
    const auto root = makeCertificate(CertificateProfile::CertificateAuthority, u"Lab Root CA"_s, {}, -900, 2700);
    const auto intermediate = root
        ? makeCertificate(CertificateProfile::IntermediateCa, u"Lab Issuing CA 2"_s, root, -395, -31)
        : std::nullopt;
    const auto leaf = intermediate ? makeCertificate(CertificateProfile::Server, u"localhost"_s, intermediate, -20, 70)
                                   : std::nullopt;
    if (!leaf)
        return 20;
    QTemporaryDir files;
    const QString prefix = files.filePath(u"expired-intermediate"_s);
    CertificatePlan plan;
    plan.files = CertificatePlan::filesForPrefix(prefix, true, false, false);
    if (!plan.write(*leaf))
        return 21;

    Lab lab;
    MainWindow window(lab);
    window.resize(1024, 768);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 22;
    window.listenerPanel()->useCertificateFiles(prefix + u".chain.pem"_s, prefix + u".key"_s);
    window.listenerPanel()->findChild<QSpinBox *>(u"portSpin"_s)->setValue(0);
    if (!window.listenerPanel()->startListener())
        return 23;
    ClientPanel *client = window.clientPanel();
    client->useListener();
    client->setTrust(ClientPanel::Trust::Listener); // the root of the chain the listener serves
    client->connectToServer();
    if (!waitFor([&] { return client->pendingSeconds() >= 0; }))
        return 24;
    const quint64 failed = client->client()->sessionId();
    client->abandon();
    if (!waitFor([&] { return !lab.timeline().session(failed).diagnosis.isEmpty(); }))
        return 25;
    settle(300);
    window.selectSession(failed);
    const QString suffix = dark ? u"-dark"_s : QString();
    for (const QSize &size : {QSize(1024, 768), QSize(1440, 900)}) {
        window.resize(size);
        settle(400);
        if (!save(&window, outDir + u"/chain-strip-%1x%2%3.png"_s.arg(size.width()).arg(size.height()).arg(suffix)))
            return 26;
    }
    const QString strip = outDir + u"/chain-strip%1.png"_s.arg(suffix);
    const bool saved = window.sessionDetails()->chainStrip()->savePng(strip);
    std::printf("%s %s\n", saved ? "wrote" : "FAILED", qPrintable(strip));
    return saved ? 0 : 27;
}
} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tlslab-screenshots"_s);
    QStandardPaths::setTestModeEnabled(true); // keep the user's settings out of it
    QTemporaryDir dataDir;
    if (qEnvironmentVariableIsEmpty("TLSLAB_DATA_DIR"))
        qputenv("TLSLAB_DATA_DIR", dataDir.path().toLocal8Bit());
    const QString outDir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : u"docs/screenshots"_s;
    QDir().mkpath(outDir);
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    if (const int rc = run(outDir, false))
        return rc;
    if (const int rc = expiredIntermediate(outDir, false))
        return rc;
    QApplication::setPalette(darkPalette());
    if (const int rc = run(outDir, true))
        return rc;
    return expiredIntermediate(outDir, true);
}
