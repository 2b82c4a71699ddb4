{#- Post-hook of stg_transactions_classified (DuckDB, a .csv or .tsv input): the lines the CSV reader could not
    split into the header's fields (too many or too few) become rows with reject_reason 'malformed_line', their
    text in raw_line. The reader skipped them and numbered the rows it kept 1..k in read order, so first the kept
    rows after a malformed line move down to their place in the file: a kept row numbered r is at r + (the
    malformed lines that have fewer than r kept rows before them), found with one as-of join. Rows are what the
    reader calls lines: a quoted line break stays inside its row. A blank line is no row, but the reader counts
    it in its line numbers: a malformed line after blank lines is placed that many rows too late (a gap then
    fails assert_file_rows_are_numbered_without_gaps).
    Any other reader error fails the build in one sentence naming the file and line: a quote never closed (the
    reader would swallow the rest of the file, and in a big file lose rows without a trace), an invalid encoding,
    a line over the reader's maximum size. The reject tables live in this connection only
    (macros/rfm_csv_scan.sql fills them) and are dropped at the end. -#}
{% macro rfm_quarantine_malformed_lines() -%}
    {%- if not (execute and rfm_csv_pinned()) -%}
        {{ return('') }}
    {%- endif -%}
    -- A run with no file to read never bound the reader: no reject tables, no malformed lines.
    create temporary table if not exists rfm_malformed_lines (
        scan_id ubigint, file_id ubigint, line ubigint, error_type varchar, csv_line varchar
    );
    create temporary table if not exists rfm_malformed_line_scans (scan_id ubigint, file_id ubigint, file_path varchar);

    -- Create-as-select evaluates every row it keeps: the first unreadable line stops the build here.
    create temporary table rfm_unreadable_lines as
    select
        {{ rfm_raise_error(
            "'Line ' || errors.line || ' of ' || scans.file_path || ' cannot be read (' || lower(errors.error_type)"
            ~ " || '; a quote never closed, or another encoding than UTF-8?): fix the file and build again.'"
        ) }} as failed
    from rfm_malformed_lines as errors
    inner join rfm_malformed_line_scans as scans
        on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id
    where errors.error_type not in ('TOO MANY COLUMNS', 'MISSING COLUMNS')
    limit 1;

    drop table rfm_unreadable_lines;

    create temporary table rfm_malformed_rows as
    with

    malformed as (

        -- A line with several errors is listed once per error: one row per line. The reader keeps the line
        -- break before a line (CRLF files, blank lines) in its text.
        select
            scans.file_path as source_file,
            errors.line - 1 as source_row_number,
            min(ltrim(errors.csv_line, chr(13) || chr(10))) as raw_line
        from rfm_malformed_lines as errors
        inner join rfm_malformed_line_scans as scans
            on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id
        group by scans.file_path, errors.line

    ),

    numbered as (

        -- The n-th malformed line of its file (source_row_number is unique per file after the group by).
        select
            *,
            row_number() over (partition by source_file order by source_row_number) as malformed_so_far
        from malformed

    ),

    placed as (

        select
            source_file,
            source_row_number,
            raw_line,
            malformed_so_far,
            source_row_number - malformed_so_far as kept_rows_before
        from numbered

    )

    select * from placed;

    update {{ this }} as staged
    set source_row_number = moved.new_row_number
    from (
        select
            kept.source_file,
            kept.source_row_number,
            kept.source_row_number + coalesce(before.malformed_so_far, 0) as new_row_number
        from {{ this }} as kept
        -- Malformed lines next to each other share kept_rows_before: the last of them counts all.
        asof left join (
            select source_file, kept_rows_before, max(malformed_so_far) as malformed_so_far
            from rfm_malformed_rows
            group by source_file, kept_rows_before
        ) as before
            on kept.source_file = before.source_file and kept.source_row_number > before.kept_rows_before
        where kept.source_file in (select source_file from rfm_malformed_rows)
    ) as moved
    where staged.source_file = moved.source_file and staged.source_row_number = moved.source_row_number;

    insert into {{ this }} (source_row_number, reject_reason, source_file, raw_line)
    select source_row_number, 'malformed_line', source_file, raw_line
    from rfm_malformed_rows;

    drop table rfm_malformed_rows;
    drop table if exists rfm_malformed_lines;
    drop table if exists rfm_malformed_line_scans
{%- endmacro %}
