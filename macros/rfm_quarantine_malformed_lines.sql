{#- Post-hook of stg_transactions_classified (DuckDB, a .csv or .tsv input): the lines the CSV reader could not
    split into the header's fields (too many, too few, a quote never closed) become rows with reject_reason
    'malformed_line', their text in raw_line. The reader skipped them and numbered the rows it kept 1..k in
    read order, so first the kept rows after a malformed line move down to their place in the file: a kept row
    numbered r is at r + (the malformed lines that have fewer than r kept rows before them). Rows are what the
    reader calls lines: a quoted line break stays inside its row, and a quote never closed makes the rest of the
    file one malformed row, whose raw_line holds all of it. The reject tables live in this connection only
    (macros/rfm_csv_scan.sql fills them) and are dropped at the end. -#}
{% macro rfm_quarantine_malformed_lines() -%}
    {%- if not (execute and rfm_csv_pinned()) -%}
        {{ return('') }}
    {%- endif -%}
    -- A run with no file to read never bound the reader: no reject tables, no malformed lines.
    create temporary table if not exists rfm_malformed_lines (
        scan_id ubigint, file_id ubigint, line ubigint, csv_line varchar
    );
    create temporary table if not exists rfm_malformed_line_scans (scan_id ubigint, file_id ubigint, file_path varchar);

    create temporary table rfm_malformed_rows as
    with

    errors as (

        -- A line with several errors is listed once per error: one row per line.
        select
            scans.file_path as source_file,
            errors.line - 1 as source_row_number,
            min(errors.csv_line) as raw_line
        from rfm_malformed_lines as errors
        inner join rfm_malformed_line_scans as scans
            on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id
        group by scans.file_path, errors.line

    ),

    placed as (

        select
            source_file,
            source_row_number,
            raw_line,
            source_row_number - row_number() over (
                partition by source_file order by source_row_number
            ) as kept_rows_before
        from errors

    )

    select * from placed;

    update {{ this }} as staged
    set source_row_number = staged.source_row_number + (
        select count(*) from rfm_malformed_rows as malformed
        where malformed.source_file = staged.source_file and malformed.kept_rows_before < staged.source_row_number
    )
    where staged.source_file in (select source_file from rfm_malformed_rows);

    insert into {{ this }} (source_row_number, reject_reason, source_file, raw_line)
    select source_row_number, 'malformed_line', source_file, raw_line
    from rfm_malformed_rows;

    drop table rfm_malformed_rows;
    drop table if exists rfm_malformed_lines;
    drop table if exists rfm_malformed_line_scans
{%- endmacro %}
