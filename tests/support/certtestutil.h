#pragma once

// Helpers shared by the certificate tests: run the real openssl program and a real Qt TLS handshake on loopback.

#include "model/certs/identity.h"

#include <QByteArray>
#include <QList>
#include <QSslError>
#include <QString>
#include <QStringList>

namespace TlsLab::Test {

struct OpensslRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool ok() const { return exitCode == 0; }
};

// Runs the openssl program to its end (at most a minute), feeding it `input`, in `dir` when given.
OpensslRun openssl(const QStringList &arguments, const QByteArray &input = {}, const QString &dir = {});

struct Handshake
{
    bool encrypted = false;
    QList<QSslError> clientErrors;
    QString clientError;
    QString serverError;
};

// A QSslServer presenting `server` and a verifying QSslSocket trusting `trusted`, over 127.0.0.1.
Handshake handshake(const TlsLab::Model::Identity &server, const QList<QSslCertificate> &trusted,
    const QString &peerName = QStringLiteral("localhost"));

bool hasError(const Handshake &h, QSslError::SslError error);

} // namespace TlsLab::Test
