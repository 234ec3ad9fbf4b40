// The chain strip: a chain made with the model's generator (a root, an intermediate that has expired, a leaf; and a
// leaf not valid yet) drawn as tiles with validity bars, the broken link marked with its reason, a click opening the
// certificate, and the strip saved as PNG. Shown in the certificate viewer and the session details.
#include "model/certs/certificategenerator.h"
#include "model/timeline/timeline.h"
#include "model/tls/tlstext.h"
#include "widgets/certificateviewer.h"
#include "widgets/chainstrip.h"
#include "widgets/sessiondetails.h"

#include <QImage>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
Identity make(
    CertificateProfile profile, const QString &cn, const std::optional<Identity> &issuer, int fromDays, int toDays)
{
    CertificateRequest request;
    request.profile = profile;
    request.keyType = KeyType::EcP256;
    request.subject.commonName = cn;
    if (profile == CertificateProfile::Server)
        request.subjectAltNames = {u"DNS:localhost"_s};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    request.notBefore = now.addDays(fromDays);
    request.notAfter = now.addDays(toDays);
    request.issuer = issuer;
    const Result<Identity> made = CertificateGenerator::generate(request);
    if (!made)
        qFatal("cannot generate %s: %s", qPrintable(cn), qPrintable(made.error()));
    return made.value();
}
} // namespace

class TestChainStrip : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void viewerShowsTheExpiredIntermediate();
    void tileTextsSayValidityAndKey();
    void savesPng();
    void sessionDetailsShowsTheStripAndOpensATile();

private:
    Identity m_root;
    Identity m_intermediate; // expired 30 days ago
    Identity m_leaf; // issued by the expired intermediate, itself valid
};

void TestChainStrip::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_root = make(CertificateProfile::CertificateAuthority, u"Strip Root CA"_s, std::nullopt, -800, 3000);
    m_intermediate = make(CertificateProfile::IntermediateCa, u"Strip Intermediate"_s, m_root, -400, -30);
    m_leaf = make(CertificateProfile::Server, u"localhost"_s, m_intermediate, -60, 300);
}

void TestChainStrip::viewerShowsTheExpiredIntermediate()
{
    CertificateViewer viewer;
    viewer.resize(900, 700);
    viewer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&viewer));
    const QList<QSslCertificate> sent {m_leaf.leaf(), m_intermediate.leaf()};
    viewer.setChain(sent, {m_root.leaf()}, false, u"localhost"_s);
    ChainStrip *strip = viewer.chainStrip();
    QVERIFY(strip);
    QVERIFY(strip->isVisible());
    QVERIFY2(strip->tiles().size() >= 2, qPrintable(QString::number(strip->tiles().size())));
    QCOMPARE(strip->tiles().at(0).details.commonName(), u"localhost"_s);
    QCOMPARE(strip->tiles().at(1).details.commonName(), u"Strip Intermediate"_s);
    // The intermediate is where verification broke, and the strip says why.
    QVERIFY(!strip->tiles().at(1).problems.isEmpty());
    const QString intermediate = strip->tileText(1);
    QVERIFY2(intermediate.contains(u"EXPIRED"_s), qPrintable(intermediate));
    QVERIFY2(intermediate.contains(u"✗"_s), qPrintable(intermediate));
    QVERIFY2(intermediate.contains(u"expired"_s, Qt::CaseInsensitive), qPrintable(intermediate));
    QVERIFY2(intermediate.startsWith(u"intermediate"_s), qPrintable(intermediate));

    // A click on the intermediate's tile selects it in the viewer.
    QCOMPARE(viewer.selectedIndex(), 0);
    QTest::mouseClick(strip, Qt::LeftButton, {}, strip->tileRect(1).center());
    QCOMPARE(viewer.selectedIndex(), 1);
    QCOMPARE(viewer.selectedCertificate(), m_intermediate.leaf());
    QCOMPARE(strip->currentTile(), 1);
    // And the keyboard: Left, then Enter, selects the leaf.
    strip->setFocus();
    QTest::keyClick(strip, Qt::Key_Left);
    QTest::keyClick(strip, Qt::Key_Return);
    QCOMPARE(viewer.selectedIndex(), 0);
}

void TestChainStrip::tileTextsSayValidityAndKey()
{
    ChainStrip strip;
    const Identity future = make(CertificateProfile::SelfSignedServer, u"future.test"_s, std::nullopt, 10, 100);
    strip.setChain({m_leaf.leaf(), future.leaf()});
    QCOMPARE(strip.tiles().size(), 2);
    const QString leaf = strip.tileText(0);
    QVERIFY2(leaf.startsWith(u"leaf · EC P-256\n"_s), qPrintable(leaf));
    // 60 of 360 days used: 17%; 300 days left.
    QVERIFY2(
        leaf.contains(u"17% used, 299 days left"_s) || leaf.contains(u"17% used, 300 days left"_s), qPrintable(leaf));
    QVERIFY2(!leaf.contains(u"✗"_s), qPrintable(leaf)); // no verdict given, none drawn
    QVERIFY2(strip.tileText(1).contains(u"NOT YET VALID"_s), qPrintable(strip.tileText(1)));
    // Drawn against another moment, the same leaf has expired.
    strip.setNow(QDateTime::currentDateTimeUtc().addDays(400));
    QVERIFY2(strip.tileText(0).contains(u"EXPIRED"_s), qPrintable(strip.tileText(0)));
    QVERIFY2(!strip.tileText(1).contains(u"NOT YET VALID"_s), qPrintable(strip.tileText(1)));
}

void TestChainStrip::savesPng()
{
    ChainStrip strip;
    strip.setChain({m_leaf.leaf(), m_intermediate.leaf(), m_root.leaf()});
    QTemporaryDir dir;
    const QString path = dir.filePath(u"chain.png"_s);
    QString error;
    QVERIFY2(strip.savePng(path, &error), qPrintable(error));
    QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), strip.sizeHint());
    // Three tiles side by side: wider than tall, and not one flat colour.
    QVERIFY(image.width() > image.height() * 2);
    // Tiles, bars and text were drawn: the picture is not one flat colour.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    QVERIFY2(colours.size() > 10, qPrintable(QString::number(colours.size())));
    QVERIFY(!strip.savePng(dir.filePath(u"missing/folder/chain.png"_s), &error));
    QVERIFY(!error.isEmpty());
}

void TestChainStrip::sessionDetailsShowsTheStripAndOpensATile()
{
    Timeline timeline;
    SessionDetails details(&timeline);
    details.resize(800, 600);
    details.show();
    QVERIFY(QTest::qWaitForWindowExposed(&details));
    // A client session whose verification failed on the intermediate, as the client records it.
    Session s;
    s.id = Timeline::newSessionId();
    s.side = Side::Client;
    s.startUs = nowUs();
    s.peerChain = {m_leaf.leaf(), m_intermediate.leaf()};
    s.verifyErrors = {QSslError(QSslError::CertificateExpired, m_intermediate.leaf())};
    s.state = SessionState::Failed;
    s.endUs = nowUs();
    timeline.updateSession(s);
    details.showSession(s.id);

    ChainStrip *strip = details.chainStrip();
    QVERIFY(strip->isVisible());
    QCOMPARE(strip->tiles().size(), 2);
    QVERIFY(strip->tiles().at(0).problems.isEmpty());
    QCOMPARE(strip->tiles().at(1).problems, QStringList {TlsText::errorWords(QSslError::CertificateExpired)});

    QSignalSpy requested(&details, &SessionDetails::certificateRequested);
    QTest::mouseClick(strip, Qt::LeftButton, {}, strip->tileRect(1).center());
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(0).value<QList<QSslCertificate>>(), s.peerChain);
    QCOMPARE(requested.at(0).at(1).toInt(), 1);

    // No chain, no strip.
    details.showSession(0);
    QVERIFY(!strip->isVisible());
}

QTEST_MAIN(TestChainStrip)
#include "tst_chainstrip.moc"
