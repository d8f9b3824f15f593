-- Search filters by index (issue 19): a search for a common word narrowed to a category, a city or the
-- distinguished practices read every match's row to apply the filter (160 ms at 100,000 practices for
-- 397 matches of "szkoła" in one category, of the 44,417 "szkoła" alone matches). With these the
-- planner intersects the word's matches with the filter's in the indexes (BitmapAnd) and reads only
-- the rows of both.

-- +goose Up
CREATE INDEX search_practices_category ON search_practices (category_id);
CREATE INDEX search_practices_city ON search_practices (city_id);
CREATE INDEX search_practices_distinguished ON search_practices (year) WHERE distinguished;

-- +goose Down
DROP INDEX search_practices_distinguished;
DROP INDEX search_practices_city;
DROP INDEX search_practices_category;
