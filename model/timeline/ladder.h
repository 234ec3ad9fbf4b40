#pragma once

#include "model/core/event.h"

#include <QList>
#include <QString>

namespace TlsLab::Model {

class Timeline;

// One rung of a handshake ladder: a TLS message, an alert or a run of application data going from one end to the
// other, or a mark at one end (closed, failed, timed out). When both ends of the connection are in this process, a
// message is one step with the event of the end that sent it and the event of the end that received it.
struct LadderStep
{
    enum class Kind : quint8 { Message, Alert, ApplicationData, Mark };

    Kind kind = Kind::Message;
    Side from = Side::Client; // the end that sent it (a mark: the end it happened at)
    QString type; // "ClientHello", "Finished", "alert fatal unknown_ca", "application data", "closed"
    QString facts; // the key facts the model found in it ("TLS 1.3, TLS_AES_128_GCM_SHA256, x25519")
    qint64 bytes = 0; // as sent (or as received, when only the receiving end is ours)
    qint64 receivedBytes = -1; // as received; -1: not seen received
    bool encrypted = false;
    bool wire = true; // false: produced but never sent (an alert OpenSSL built after the connection closed)
    bool receiptUnseen = false; // the receiving end drops it without a trace (TLS 1.3's ChangeCipherSpec)
    int count = 1; // application data: the records summarised in this step
    qint64 timeUs = 0; // the first time either end saw it
    qsizetype sentEvent = -1; // timeline index of the sender's event; -1: not seen sent
    qsizetype receivedEvent = -1; // timeline index of the receiver's event; -1: not seen received

    bool isArrow() const { return kind != Kind::Mark; }
    bool isFatalAlert() const { return kind == Kind::Alert && type.startsWith(u"alert fatal"); }
    qsizetype event() const { return sentEvent >= 0 ? sentEvent : receivedEvent; }
};

// The handshake of one connection as a sequence diagram, built from the events of its session and, when both ends
// are in this process, of the linked session: the one home of "events -> ladder" for the window and the command line.
struct Ladder
{
    quint64 clientSession = 0; // 0: that end is not ours
    quint64 serverSession = 0;
    QList<LadderStep> steps; // in time order
    QString verdict; // the cause of the failure, empty when the session(s) did not fail
    QString verdictCode;
    qsizetype failureStep = -1; // the step where it went wrong (the first fatal alert, or the failing end's mark)

    bool bothEnds() const { return clientSession && serverSession; }
    // True when both ends are ours and the step was seen on only one of them, or with different sizes.
    bool differs(const LadderStep &step) const;
    qsizetype arrowCount() const;

    // The ladder of a session and of its linked other end, from the timeline as it is now.
    static Ladder build(const Timeline &timeline, quint64 session);
    // Mermaid sequenceDiagram text: the participants, then one line per step (arrows for messages, notes for marks),
    // then the verdict as a note. Encrypted messages use dashed arrows.
    QString toMermaid() const;
};

} // namespace TlsLab::Model
