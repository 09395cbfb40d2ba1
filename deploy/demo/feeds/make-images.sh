#!/bin/sh
# make-images.sh: regenerates the demo feeds' images (simple shapes, no
# photographs, nothing copyrighted). Needs ImageMagick's convert and cwebp
# (Debian: imagemagick, webp). The results are committed; run this only to
# change them.
set -eu
cd "$(dirname "$0")/img"
C=/usr/bin/convert

avatar() { # NAME COLOR1 COLOR2
	$C -size 96x96 "gradient:$2-$3" \( -size 96x96 xc:black -fill white -draw 'circle 48,48 48,2' \) \
	    -alpha off -compose copy_opacity -composite -strip "avatar-$1.png"
}
avatar mastodon '#6364ff' '#563acc'
avatar youtube '#ff3b3b' '#b80000'
avatar bluesky '#1d9bf0' '#0a5fa8'
avatar blog '#1f9d55' '#0e6b37'

i=1
for c in '#6364ff-#f59e0b' '#0ea5e9-#22c55e' '#f43f5e-#8b5cf6' '#14b8a6-#eab308'; do
	$C -size 640x400 "gradient:$c" -fill 'rgba(255,255,255,.85)' \
	    -draw "circle $((120 + i * 80)),200 $((120 + i * 80)),$((130 - i * 10))" \
	    -draw "rectangle 40,300 $((200 + i * 60)),340" -strip "mastodon-$i.png"
	i=$((i + 1))
done
$C mastodon-2.png -quality 70 mastodon-2.jpg && rm mastodon-2.png

i=1
for c in '#111827-#ef4444' '#1f2937-#f97316' '#0f172a-#a855f7' '#18181b-#06b6d4' '#1c1917-#84cc16' '#172554-#f43f5e'; do
	$C -size 480x270 "gradient:$c" -fill 'rgba(255,255,255,.9)' \
	    -draw "polygon 200,95 200,175 270,135" -strip -quality 70 "youtube-$i.jpg"
	i=$((i + 1))
done

i=1
for c in '#fde68a-#f59e0b' '#bbf7d0-#16a34a' '#bfdbfe-#2563eb'; do
	$C -size 800x450 "gradient:$c" -fill 'rgba(0,0,0,.55)' \
	    -draw "roundrectangle 160,120 640,330 24,24" -strip "blog-$i.png"
	cwebp -quiet -q 60 "blog-$i.png" -o "blog-$i.webp" && rm "blog-$i.png"
	i=$((i + 1))
done
$C -size 320x200 'gradient:#f472b6-#7c3aed' -fill white -draw 'circle 160,100 160,40' \
    -strip bluesky-1.gif
