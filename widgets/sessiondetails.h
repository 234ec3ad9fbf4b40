#pragma once

#include "model/core/session.h"

#include <QWidget>

class QFrame;
class QLabel;
class QPushButton;
class QScrollArea;
class QTabWidget;
class QTextBrowser;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

class ChainStrip;
class HandshakeLadder;
class HelloPane;

// What is known about one session: at the top, the verdict (what happened, why, what to change) when it ended badly;
// then endpoints, protocol, the cipher suite and its parts, ALPN, the ephemeral key,
// the plain-language reason of a failure, and the peer's chain with a verdict per certificate (also drawn above the
// text as a strip of tiles; a click opens that certificate). Follows the
// Timeline's updates of the session it shows. The chain can be opened in the certificate viewer or exported. A second
// tab draws the handshake as a ladder (with the other end when it is ours), exportable as SVG, PNG or Mermaid; a third
// dissects its hellos (HelloPane).
class SessionDetails final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionDetails)

public:
    explicit SessionDetails(Model::Timeline *timeline, QWidget *parent = nullptr);
    ~SessionDetails() override;

    void showSession(quint64 id); // 0 clears
    quint64 sessionId() const { return m_sessionId; }
    QString text() const; // the shown text, plain
    QString verdictText() const; // the banner's text, plain (empty when there is no verdict)
    HandshakeLadder *ladder() const { return m_ladder; }
    HelloPane *hello() const { return m_hello; } // the "Hello" tab: fingerprints, the hello at a glance, its tree
    void showHello(); // raises the hello tab
    ChainStrip *chainStrip() const { return m_chainStrip; }
    void showLadder(); // raises the handshake tab
    void focusCurrentTab(); // keyboard focus to the facts text or the ladder, whichever tab is shown
    // Writes the ladder by the file's suffix: ".svg", ".png", anything else Mermaid text. False on a write error.
    bool exportLadder(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    // The user asked to see the peer's chain in the certificate viewer.
    void certificateChainRequested(const QList<QSslCertificate> &chain);
    // The user clicked a certificate of the chain strip: open the chain with that one (index into chain) selected.
    void certificateRequested(const QList<QSslCertificate> &chain, int index);
    void exportChainRequested(quint64 sessionId);
    // The user picked a step of the handshake ladder: its event, by timeline index.
    void eventSelected(qsizetype timelineIndex);
    // A ladder export ended; the message says where it went or why it failed (for the status bar).
    void ladderExported(bool ok, const QString &message);

private:
    void refresh();
    void showVerdict();
    void chooseLadderFile();

    Model::Timeline *m_timeline;
    quint64 m_sessionId = 0;
    Model::Session m_session;
    QScrollArea *m_bannerArea;
    QFrame *m_banner;
    QLabel *m_verdictWhat;
    QLabel *m_verdictWhy;
    QLabel *m_verdictFix;
    QPushButton *m_copyFixButton;
    QTextBrowser *m_browser;
    QPushButton *m_viewButton;
    QPushButton *m_exportButton;
    QScrollArea *m_chainArea;
    ChainStrip *m_chainStrip;
    QTabWidget *m_tabs;
    HandshakeLadder *m_ladder;
    QPushButton *m_exportLadderButton;
    QPushButton *m_copyMermaidButton;
    HelloPane *m_hello = nullptr;
};

} // namespace TlsLab::Widgets
