// The verdict in the window: a banner at the top of the session details (what / why / fix, the fix copyable) and the
// short cause in the sessions table's outcome column, both following the diagnoser as a session ends.
#include "model/diagnosis/diagnoser.h"
#include "model/timeline/timeline.h"
#include "widgets/sessiondetails.h"
#include "widgets/sessiontablemodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

class TestSessionDetails : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bannerShowsTheVerdictOfAFailedSession();
    void noBannerForAHealthySession();
};

namespace {
// A listener session that a plaintext HTTP client ended, recorded as the listener records it.
quint64 refusedHttpSession(Timeline &timeline)
{
    Session s;
    s.id = Timeline::newSessionId();
    s.side = Side::Server;
    s.startUs = nowUs();
    timeline.updateSession(s);
    timeline.record(s.id, Side::Server, EventKind::TcpAccepted, Severity::Info, u"accepted"_s);
    timeline.record(s.id, Side::Server, EventKind::FirstBytes, Severity::Warning, u"GET /"_s,
        EventDetails {{u"classification", u"http"_s}, {u"method", u"GET"_s}, {u"target", u"/"_s}});
    timeline.record(s.id, Side::Server, EventKind::PlaintextRefused, Severity::Warning, u"refused"_s,
        EventDetails {{u"reason", u"plaintext HTTP"_s}});
    s.state = SessionState::Refused;
    s.reason = u"the client sent an HTTP request in plaintext to a TLS port"_s;
    s.endUs = nowUs();
    timeline.updateSession(s);
    return s.id;
}
} // namespace

void TestSessionDetails::bannerShowsTheVerdictOfAFailedSession()
{
    Timeline timeline;
    SessionDetails details(&timeline);
    SessionTableModel table(&timeline);
    QAbstractItemModelTester tester(&table);
    details.show();
    const quint64 id = refusedHttpSession(timeline);
    details.showSession(id);

    auto *banner = details.findChild<QWidget *>(u"verdictBanner"_s);
    QVERIFY(banner);
    QVERIFY(banner->isVisible());
    const QString text = details.verdictText();
    QVERIFY2(text.contains(u"the client sent plaintext HTTP to this TLS port"_s), qPrintable(text));
    QVERIFY(text.contains(u"plaintext-to-tls-port"_s));
    QVERIFY(text.contains(u"Why: Its first bytes are a plaintext HTTP request: GET /."_s));
    auto *fix = details.findChild<QLabel *>(u"verdictFix"_s);
    QVERIFY(fix);
    QVERIFY(fix->textInteractionFlags() & Qt::TextSelectableByMouse);
    QVERIFY(fix->text().contains(u"https://"_s));

    auto *copy = details.findChild<QPushButton *>(u"copyFixButton"_s);
    QVERIFY(copy && copy->isVisible());
    QApplication::clipboard()->clear();
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), timeline.session(id).diagnosis.value(u"fix"_s).toString());

    // The table's outcome column shows the short cause rather than the raw reason.
    QTRY_COMPARE_WITH_TIMEOUT(table.rowCount(), 1, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(table.index(0, SessionTableModel::OutcomeColumn).data().toString(),
        u"refused: the client sent plaintext HTTP to this TLS port"_s, 2000);
}

void TestSessionDetails::noBannerForAHealthySession()
{
    Timeline timeline;
    SessionDetails details(&timeline);
    details.show();
    Session s;
    s.id = Timeline::newSessionId();
    s.side = Side::Server;
    s.startUs = nowUs();
    timeline.updateSession(s);
    timeline.record(s.id, Side::Server, EventKind::Encrypted, Severity::Success, u"encrypted"_s);
    s.state = SessionState::Closed;
    s.endUs = nowUs();
    timeline.updateSession(s);
    details.showSession(s.id);
    QVERIFY(!details.findChild<QWidget *>(u"verdictBanner"_s)->isVisible());
    QVERIFY(details.verdictText().isEmpty());
    // Switching from a failed session to a healthy one hides the banner again.
    const quint64 failed = refusedHttpSession(timeline);
    details.showSession(failed);
    QVERIFY(!details.verdictText().isEmpty());
    details.showSession(s.id);
    QVERIFY(details.verdictText().isEmpty());
}

QTEST_MAIN(TestSessionDetails)
#include "tst_sessiondetails.moc"
