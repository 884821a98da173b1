#!/bin/sh
# Fill the nginx template from the environment (the same placeholders media_server_config
# fills from Django settings), check it, and run nginx in the foreground.
set -eu

: "${MEDIA_CALLBACK_BASE:=http://web:8000}"
: "${MEDIA_RTMP_PORT:=1935}"
: "${MEDIA_HTTP_PORT:=8080}"
: "${MEDIA_HLS_DIR:=/var/lib/alliance-media/hls}"
: "${MEDIA_HLS_LOCATION:=/hls}"
: "${MEDIA_RUN_DIR:=/var/lib/alliance-media/run}"
: "${MEDIA_HLS_FRAGMENT:=2s}"
: "${MEDIA_HLS_PLAYLIST_LENGTH:=12h}"
: "${MEDIA_CORS_ORIGIN:=*}"
: "${MEDIA_ERROR_LOG:=stderr}"
: "${MEDIA_ACCESS_LOG:=off}"
MEDIA_MAIN_DIRECTIVES="load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
user www-data;"

if [ -n "${LIVE_MEDIA_CALLBACK_TOKEN:-}" ]; then
    # The token goes into a URL: use a URL-safe one (python -c "import secrets; print(secrets.token_urlsafe(32))").
    MEDIA_CALLBACK_QUERY="?token=${LIVE_MEDIA_CALLBACK_TOKEN}"
else
    MEDIA_CALLBACK_QUERY=""
    echo "media: LIVE_MEDIA_CALLBACK_TOKEN is empty; the app refuses callbacks from another host without it," \
         "so every stream will be refused. Set it for both the web and the media service." >&2
fi

export MEDIA_MAIN_DIRECTIVES MEDIA_CALLBACK_BASE MEDIA_CALLBACK_QUERY MEDIA_RTMP_PORT MEDIA_HTTP_PORT \
    MEDIA_HLS_DIR MEDIA_HLS_LOCATION MEDIA_RUN_DIR MEDIA_HLS_FRAGMENT MEDIA_HLS_PLAYLIST_LENGTH \
    MEDIA_CORS_ORIGIN MEDIA_ERROR_LOG MEDIA_ACCESS_LOG

mkdir -p "$MEDIA_HLS_DIR" "$MEDIA_RUN_DIR"
chown www-data:www-data "$MEDIA_HLS_DIR" "$MEDIA_RUN_DIR"
# Only our placeholders: nginx's own $variables stay as they are.
envsubst "$(env | sed -n 's/^\(MEDIA_[A-Z_]*\)=.*/${\1}/p' | tr '\n' ' ')" \
    < /etc/nginx/alliance-media.conf.template > /etc/nginx/nginx.conf
nginx -t -q
exec nginx -g 'daemon off;'
