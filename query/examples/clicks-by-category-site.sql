-- Clicks per ad category × site: a click stream joined with the ad-campaigns DynamoDB table.
--
--   kinlog query --table clicks=click-stream --dynamodb campaigns=ad-campaigns \
--     --name clicks --iteration 7 --file clicks-by-category-site.sql
SELECT c.category, k.site, count(*) AS clicks
FROM clicks k
JOIN campaigns c ON k.ad = c.ad
GROUP BY c.category, k.site
ORDER BY c.category, k.site;
