"""The annual report (脱贫答卷) of a region and year, structured like the 《吉林日报》 report on Liaoyuan.

``figures`` defines every figure (stable key, label, unit, how it is read, why it may be missing;
the definitions are in ``figures_duty`` and ``figures_programmes``), ``sources`` reads the apps'
``annual_figures`` once each, ``traces`` lists the records behind each figure (``traces_duty``,
``traces_programmes``), ``report`` evaluates them, ``formats`` renders HTML, xlsx and JSON,
``actions`` archives (存档) a report and ``archive`` checks an archive against its checksum and
today's records.
"""
